"""Offline speech engine backed by libespeak-ng, encoded to MP3 with LAME.

Contract (see ``speech.engines.base``): ``synthesize(text, *, language)`` returns a complete,
non-empty MP3 as ``bytes`` or raises ``SpeechEngineError``. Nothing here touches the network.

* ``language`` is ``"en"`` (spoken with the ``en-us`` voice) or ``"ko"``. Anything else raises
  ``SpeechEngineError(retryable=False)``, as does empty or whitespace-only text.
* ``rate`` is the speaking speed in words per minute (espeak accepts 80-450; default 165).
* The output is mono MP3 at espeak's native sample rate (22050 Hz in the bundled build, which
  LAME writes as MPEG-2 Layer III) at a constant 64 kbps.

The shared library and its voice data come from the ``espeakng-loader`` wheel, so no system
package is needed. The library is initialised lazily on the first call, once per process.

libespeak-ng keeps its voice, parameters and output callback in process-global state, so every
call into it is serialised by a module-level lock; concurrent callers simply queue. MP3 encoding
happens after the lock is released because each call uses its own encoder.

This module deliberately does not import Django so it can be exercised in isolation.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from array import array
from dataclasses import dataclass, field

import espeakng_loader
import lameenc

from .base import SpeechEngineError

__all__ = ["DEFAULT_RATE", "LANGUAGE_VOICES", "synthesize"]

DEFAULT_RATE = 165
MIN_RATE = 80
MAX_RATE = 450

# Public language code -> espeak voice name (file names under espeak-ng-data/lang).
LANGUAGE_VOICES: dict[str, str] = {"en": "en-us", "ko": "ko"}

MP3_BITRATE_KBPS = 64
# lameenc: 2 is best, 7 fastest. 3 costs little over 5 for short speech clips.
MP3_QUALITY = 3

# Values from espeak-ng's speak_lib.h.
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_POS_CHARACTER = 1
_ESPEAK_CHARS_UTF8 = 1
_ESPEAK_RATE = 1
_EE_OK = 0
# Without this flag espeak_Initialize calls exit(1) when the data is unusable, which would take
# the whole worker process down instead of raising.
_ESPEAK_INITIALIZE_DONT_EXIT = 0x8000
_BUFLENGTH_MS = 0  # 0 lets espeak pick its default chunk size (60 ms).

# int callback(short *wav, int numsamples, espeak_EVENT *events). Events are not inspected, so
# the pointer is left opaque rather than mirroring the struct layout.
_SynthCallback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)

_lock = threading.Lock()
# libespeak-ng keeps the raw function pointer forever; if the ctypes wrapper were collected it
# would call into freed memory. Holding it at module level (never cleared) prevents that even if
# initialisation fails after the callback was registered.
_callback_keepalive: list[object] = []


@dataclass
class _Engine:
    lib: ctypes.CDLL
    sample_rate: int
    # Filled by the synth callback during one espeak_Synth call; only touched under _lock.
    pcm: bytearray = field(default_factory=bytearray)
    callback_error: BaseException | None = None

    def on_samples(self, wav: ctypes._Pointer[ctypes.c_short] | None, count: int, _events: int | None) -> int:
        # An exception escaping a ctypes callback is only printed, never propagated, so it is
        # recorded here and re-raised by the caller; returning 1 tells espeak to stop early.
        try:
            # A NULL buffer marks the end of synthesis, and count may be 0 mid-stream.
            if wav and count > 0:
                self.pcm += ctypes.string_at(wav, count * ctypes.sizeof(ctypes.c_short))
            return 0
        except BaseException as exc:  # anything, since nothing may unwind through the C frames
            self.callback_error = exc
            return 1


# Set once, under _lock, by the first successful initialisation; lives for the process.
_engine: _Engine | None = None


def _declare_signatures(lib: ctypes.CDLL) -> None:
    # Explicit prototypes: ctypes would otherwise pass size_t/pointers as C int and truncate them.
    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_Initialize.restype = ctypes.c_int
    lib.espeak_SetSynthCallback.argtypes = [_SynthCallback]
    lib.espeak_SetSynthCallback.restype = None
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_SetVoiceByName.restype = ctypes.c_int
    lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.espeak_SetParameter.restype = ctypes.c_int
    lib.espeak_Synth.argtypes = [
        ctypes.c_void_p,  # text
        ctypes.c_size_t,  # size
        ctypes.c_uint,  # position
        ctypes.c_int,  # position_type
        ctypes.c_uint,  # end_position
        ctypes.c_uint,  # flags
        ctypes.POINTER(ctypes.c_uint),  # unique_identifier
        ctypes.c_void_p,  # user_data
    ]
    lib.espeak_Synth.restype = ctypes.c_int


def _initialise() -> _Engine:
    """Load and initialise libespeak-ng. Caller must hold ``_lock``."""
    try:
        library_path = espeakng_loader.get_library_path()
        data_path = espeakng_loader.get_data_path()
    except Exception as exc:
        raise SpeechEngineError(f"espeak-ng data not found: {exc}", retryable=False) from exc

    # Given an unusable path, espeak quietly falls back to its build-time default location and,
    # with DONT_EXIT, just returns 0; checking first gives an error that names the real problem.
    if not os.path.isfile(os.path.join(data_path, "phontab")):
        raise SpeechEngineError(f"espeak-ng data incomplete at {data_path}", retryable=False)

    try:
        lib = ctypes.CDLL(library_path)
        _declare_signatures(lib)
    except (OSError, AttributeError) as exc:
        raise SpeechEngineError(f"cannot load libespeak-ng: {exc}", retryable=False) from exc

    # The documented argument is the directory that *contains* espeak-ng-data.
    data_parent = os.path.dirname(data_path)
    sample_rate = lib.espeak_Initialize(
        _AUDIO_OUTPUT_SYNCHRONOUS,
        _BUFLENGTH_MS,
        os.fsencode(data_parent),
        _ESPEAK_INITIALIZE_DONT_EXIT,
    )
    if sample_rate <= 0:
        raise SpeechEngineError(f"espeak_Initialize failed (returned {sample_rate})", retryable=False)

    engine = _Engine(lib=lib, sample_rate=sample_rate)
    callback = _SynthCallback(engine.on_samples)
    _callback_keepalive.append(callback)
    lib.espeak_SetSynthCallback(callback)
    return engine


def _render_pcm(text: bytes, voice: str, rate: int) -> tuple[bytes, int]:
    """Run espeak on UTF-8 ``text``; return (16-bit mono PCM in native byte order, sample rate)."""
    global _engine
    with _lock:
        if _engine is None:
            _engine = _initialise()
        engine = _engine

        # Voice and rate are global library state that another caller may have changed, so both
        # are set on every call (each costs well under a millisecond once loaded).
        status = engine.lib.espeak_SetVoiceByName(voice.encode("ascii"))
        if status != _EE_OK:
            raise SpeechEngineError(f"espeak voice {voice!r} unavailable (status {status})", retryable=False)
        status = engine.lib.espeak_SetParameter(_ESPEAK_RATE, rate, 0)
        if status != _EE_OK:
            raise SpeechEngineError(f"espeak rejected rate {rate} (status {status})")

        engine.pcm = bytearray()
        engine.callback_error = None
        buffer = ctypes.create_string_buffer(text)  # adds the NUL terminator espeak reads up to
        try:
            status = engine.lib.espeak_Synth(
                buffer,
                len(buffer),
                0,
                _POS_CHARACTER,
                0,
                _ESPEAK_CHARS_UTF8,
                None,
                None,
            )
            error = engine.callback_error
            pcm = bytes(engine.pcm)
        finally:
            # Don't keep a long clip's PCM alive between calls.
            engine.pcm = bytearray()
            engine.callback_error = None

        if status != _EE_OK:
            raise SpeechEngineError(f"espeak_Synth failed (status {status})")
        if error is not None:
            raise SpeechEngineError(f"collecting espeak audio failed: {error!r}") from error
        return pcm, engine.sample_rate


def _encode_mp3(pcm: bytes, sample_rate: int) -> bytes:
    if sys.byteorder != "little":
        # lameenc expects little-endian samples; espeak produces native-endian ones.
        samples = array("h", pcm)
        samples.byteswap()
        pcm = samples.tobytes()
    encoder = lameenc.Encoder()
    encoder.set_channels(1)
    encoder.set_in_sample_rate(sample_rate)
    encoder.set_bit_rate(MP3_BITRATE_KBPS)
    encoder.set_quality(MP3_QUALITY)
    return bytes(encoder.encode(pcm)) + bytes(encoder.flush())


def synthesize(text: str, *, language: str, rate: int = DEFAULT_RATE) -> bytes:
    """Speak ``text`` in ``language`` ("en" or "ko") and return the audio as MP3 bytes.

    Raises ``SpeechEngineError``; ``retryable`` is False for bad input (empty text, unknown
    language, out-of-range rate) and for a broken installation, True for unexpected failures.
    """
    voice = LANGUAGE_VOICES.get(language.lower()) if isinstance(language, str) else None
    if voice is None:
        raise SpeechEngineError(f"unsupported language: {language!r}", retryable=False)
    if not isinstance(text, str) or not text.strip():
        raise SpeechEngineError("nothing to synthesize: text is empty or not a string", retryable=False)
    if isinstance(rate, bool) or not isinstance(rate, int) or not MIN_RATE <= rate <= MAX_RATE:
        raise SpeechEngineError(
            f"rate must be an int between {MIN_RATE} and {MAX_RATE} wpm, got {rate!r}",
            retryable=False,
        )

    try:
        # espeak stops at the first NUL, which would silently truncate the clip.
        encoded = text.replace("\x00", " ").encode("utf-8")
    except UnicodeEncodeError as exc:  # lone surrogates
        raise SpeechEngineError(f"text is not valid Unicode: {exc}", retryable=False) from exc

    try:
        pcm, sample_rate = _render_pcm(encoded, voice, rate)
    except SpeechEngineError:
        raise
    except Exception as exc:
        raise SpeechEngineError(f"espeak synthesis failed: {exc!r}") from exc

    if not pcm:
        # espeak is deterministic, so the same input would produce nothing again.
        raise SpeechEngineError("espeak produced no audio", retryable=False)

    try:
        mp3 = _encode_mp3(pcm, sample_rate)
    except Exception as exc:
        raise SpeechEngineError(f"MP3 encoding failed: {exc!r}") from exc
    if not mp3:
        raise SpeechEngineError("MP3 encoder produced no output")
    return mp3
