"""One test kit for the suite and the benchmarks: a fake clock, a recording speaker,
the offscreen Kivy window, and pack loading. Nothing here imports Kivy at import time."""
