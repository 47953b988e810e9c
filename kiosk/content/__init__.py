"""Content packs: model, YAML loading, validation, signing, install. No Kivy here."""
