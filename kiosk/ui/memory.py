"""Keep Python's cyclic garbage collector out of the moments a visitor waits for.

Every screen is a fresh tree of Kivy widgets, and a replaced tree is cyclic
garbage (bindings point both ways) that only a full collection frees. Measured
on the built-in pack: a full collection scans ~140,000 objects and frees
~17,000 per replaced screen, 100-600 ms of CPU; left to itself it lands in the
middle of whichever rebuild crosses its threshold, so one language switch in
four took several times longer than the rest (bench/bench_language_switch.py).

Three measures, all plain `gc` calls:
- no collections during start-up (kiosk.ui.app.run_kiosk): it makes hundreds of thousands of
  objects that all live on (modules, the pack, fonts), so the collections the
  thresholds trigger meanwhile free nothing and cost about 40 ms before the
  first frame. The collector is off from the start until that frame is drawn.
- `freeze_startup_heap`, on the frame after the first: what exists once the
  kiosk has started lives as long as the process; moved to the permanent
  generation, full collections stop scanning it. The collector is back on.
- `hold_collection_until_drawn`: while a new screen is built and drawn the
  collector waits; on the next frame after the new screen is on the glass, a
  full collection frees the old tree at once, while the visitor starts
  reading. Left to the automatic thresholds instead, that old tree would be
  freed in the middle of the *next* tap's rebuild. A fallback timer
  re-enables the collector even if no frame is ever drawn.
"""

from __future__ import annotations

import gc

RELEASE_AFTER_S = 2.0  # the latest the collector waits, if no frame is drawn at all

_held = False


def freeze_startup_heap() -> None:
    """Collect once, exempt everything alive now from later full collections, collect again."""
    gc.collect()
    gc.freeze()
    gc.enable()


def hold_collection_until_drawn() -> None:
    """Pause automatic collection until the window's next frame has been drawn."""
    global _held
    if _held or not gc.isenabled():
        return  # already held for this frame, or someone else manages the collector
    from kivy.clock import Clock
    from kivy.core.window import Window

    gc.disable()
    _held = True

    def drawn(*_args: object) -> None:
        Window.unbind(on_flip=drawn)
        # Not here: on_flip is still inside the frame. Resume on the next one.
        Clock.schedule_once(resume, 0)

    def resume(*_args: object) -> None:
        global _held
        Window.unbind(on_flip=drawn)
        fallback.cancel()
        if _held:
            _held = False
            gc.enable()
            gc.collect()  # the replaced tree, freed now rather than during the next tap

    Window.bind(on_flip=drawn)
    fallback = Clock.schedule_once(resume, RELEASE_AFTER_S)


def collection_held() -> bool:
    return _held
