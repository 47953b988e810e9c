"""The Kivy touchscreen app: the only package that imports Kivy.

Importing `kiosk.ui` itself loads nothing heavy; `kiosk.ui.env.configure_kivy`
must run before anything imports Kivy (see `kiosk.ui.app.run_kiosk`).
"""
