"""Grammar words against a model's vocabulary: reported, never a crash."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from voice.intents import matcher_for
from voice.pipeline import build_grammar
from voice.text import words
from voice.vocab import VocabularyError, open_vocabulary

# Names of other languages in their own scripts: a Korean model cannot know them.
FOREIGN_AUTONYMS = {"ayisyen", "english", "español", "français", "kreyòl", "português", "tagalog",
                    "tiếng", "việt", "русский", "العربية", "中文", "廣東話", "普通话", "简体中文",
                    "粵語", "繁體中文"}


def test_korean_templates_use_the_models_words(ko_model: Path) -> None:
    vocab = open_vocabulary(ko_model)
    assert vocab.source.name == "Gr.fst"  # this small model has no words.txt
    grammar = build_grammar(matcher_for("ko"), ["위험 신호", "당신의 권리"], vocab)
    # Typed text may use any word; a phrase with a word the model lacks is only
    # left out of the grammar, and reported.
    assert "당신의" in grammar.missing_words and FOREIGN_AUTONYMS & set(grammar.missing_words)
    assert grammar.checked and len(grammar.phrases) > 150
    core = {"도움이 필요 해요", "위험 신호", "핫라인", "나가기", "네", "아니요", "그만", "세번째", "처음으로"}
    assert core <= set(grammar.phrases), core - set(grammar.phrases)
    assert all(w in vocab for p in grammar.phrases for w in words(p))
    # One-syllable tokens soak up noise: none among other tokens ("영어 로", "구 일 일").
    assert not any(len(w) == 1 for p in grammar.phrases if len(words(p)) > 1 for w in words(p))
    assert "로" not in {w for p in grammar.phrases for w in words(p)}
    # The filler model: everyday words the model knows, and its unknown-word symbol.
    assert len(grammar.filler) > 50 and "<UNK>" in grammar.filler
    assert not set(grammar.filler) & {" ".join(words(p.spoken)) for p in matcher_for("ko").phrases()}
    assert vocab.unknown_word() == "<UNK>"
    vocab.close()


def test_lookups_are_exact(ko_model: Path) -> None:
    vocab = open_vocabulary(ko_model)
    assert "도움이" in vocab and "도움" in vocab
    assert "도와" not in vocab  # a prefix of real words is not a word
    assert "" not in vocab and "two words" not in vocab
    vocab.close()


def fake_model(root: Path) -> Path:
    (root / "am").mkdir(parents=True)
    (root / "am" / "final.mdl").write_bytes(b"x")
    (root / "graph").mkdir()
    (root / "graph" / "HCLG.fst").write_bytes(b"x")
    return root


def test_words_txt_is_used_when_present(tmp_path: Path) -> None:
    model = fake_model(tmp_path / "m")
    (model / "graph" / "words.txt").write_text("<eps> 0\nhelp 1\nme 2\n[unk] 3\n", "utf-8")
    vocab = open_vocabulary(model)
    assert "help" in vocab and "me" in vocab and "hel" not in vocab and "<eps>" in vocab
    assert vocab.missing(["help", "please"]) == ["please"] and vocab.unknown_word() == "[unk]"
    vocab.close()


def test_symbol_table_parsing(tmp_path: Path) -> None:
    """A hand-made OpenFst header with a symbol table, as small models carry in Gr.fst."""
    def s(text: str) -> bytes:
        data = text.encode()
        return struct.pack("<i", len(data)) + data
    symbols = ["<eps>", "help", "me", "도움"]
    table = struct.pack("<i", 2125658996) + s("words.txt") + struct.pack("<qq", len(symbols), len(symbols))
    table += b"".join(s(w) + struct.pack("<q", i) for i, w in enumerate(symbols))
    header = struct.pack("<i", 2125659606) + s("vector") + s("standard") + struct.pack("<ii", 2, 3)
    header += struct.pack("<Qqqq", 0, 0, 1, 0)
    model = fake_model(tmp_path / "m")
    (model / "graph" / "HCLG.fst").unlink()
    (model / "graph" / "HCLr.fst").write_bytes(b"x")
    (model / "graph" / "Gr.fst").write_bytes(header + table + table + b"\x00" * 64)
    vocab = open_vocabulary(model)
    assert [w in vocab for w in ["help", "me", "도움", "hel", "elp", "words.txt"]] == \
        [True, True, True, False, False, False]
    vocab.close()


def test_a_model_without_a_word_list_says_so(tmp_path: Path) -> None:
    model = fake_model(tmp_path / "m")
    with pytest.raises(VocabularyError, match="no word list"):
        open_vocabulary(model)
    # ... and the grammar is still built, unchecked, with Vosk's own [unk].
    grammar = build_grammar(matcher_for("en"), [], None)
    assert not grammar.checked and grammar.phrases[-1] == "[unk]" and grammar.missing_words == ()
