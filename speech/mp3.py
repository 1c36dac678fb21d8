"""Read basic facts (frame count, duration, sample rate, bitrate) out of an MP3 byte string.

Pure standard library, no decoding: it walks MPEG-1 / MPEG-2 / MPEG-2.5 Layer III frame headers.

* A leading ID3v2 tag (or several) is skipped.
* The first frame must be followed by further valid frames with the same MPEG version and sample
  rate (at least ``MIN_CONSECUTIVE_FRAMES`` of them) so random bytes that happen to contain a sync
  word are not accepted. A shorter run is only accepted when it is the whole of the data.
* A Xing/Info (LAME, VBR or CBR) or VBRI header frame carries no audio, so it is neither counted
  in ``frames`` nor in ``duration``, and ``bitrate_kbps`` comes from the first audio frame.
* Walking stops at the first thing that is not a complete, consistent frame (a trailing ID3v1 or
  APE tag, junk, or a truncated last frame).

``duration`` is frames x samples-per-frame / sample rate. Encoders add a little priming and
padding silence (LAME: roughly 50 ms), so it is slightly longer than the source audio.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

__all__ = ["MIN_CONSECUTIVE_FRAMES", "Mp3Info", "id3v2_end", "mp3_info"]

MIN_CONSECUTIVE_FRAMES = 3

_MPEG1, _MPEG2, _MPEG25 = "1", "2", "2.5"
# Header bits 19-20: 00 = MPEG-2.5, 01 = reserved, 10 = MPEG-2, 11 = MPEG-1.
_VERSIONS = {0b00: _MPEG25, 0b10: _MPEG2, 0b11: _MPEG1}
_LAYER_III = 0b01

# Layer III bitrates in kbps by header index; 0 ("free format") and 15 are unusable because the
# frame length cannot be derived from them.
_BITRATES_KBPS = {
    _MPEG1: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0),
    _MPEG2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0),
}
_BITRATES_KBPS[_MPEG25] = _BITRATES_KBPS[_MPEG2]

_SAMPLE_RATES = {
    _MPEG1: (44100, 48000, 32000),
    _MPEG2: (22050, 24000, 16000),
    _MPEG25: (11025, 12000, 8000),
}

_SAMPLES_PER_FRAME = {_MPEG1: 1152, _MPEG2: 576, _MPEG25: 576}
# Layer III side information size, by (is MPEG-1, is mono).
_SIDE_INFO_BYTES = {(True, False): 32, (True, True): 17, (False, False): 17, (False, True): 9}
_MONO = 0b11
_RESERVED_EMPHASIS = 0b10


@dataclass(frozen=True)
class Mp3Info:
    frames: int  # audio frames; a Xing/Info/VBRI header frame is not counted
    duration: float  # seconds
    sample_rate: int  # Hz
    bitrate_kbps: int  # of the first audio frame (the whole file, for CBR)


class _Frame(NamedTuple):
    version: str
    sample_rate: int
    bitrate_kbps: int
    length: int  # bytes, header included
    samples: int
    mono: bool
    has_crc: bool


def _parse_header(data: bytes, pos: int) -> _Frame | None:
    if pos + 4 > len(data):
        return None
    b0, b1, b2, b3 = data[pos], data[pos + 1], data[pos + 2], data[pos + 3]
    if b0 != 0xFF or (b1 & 0xE0) != 0xE0:
        return None
    version = _VERSIONS.get((b1 >> 3) & 0b11)
    if version is None or (b1 >> 1) & 0b11 != _LAYER_III:
        return None
    bitrate_kbps = _BITRATES_KBPS[version][b2 >> 4]
    rate_index = (b2 >> 2) & 0b11
    # Reserved emphasis is never written by real encoders; rejecting it weeds out more noise.
    if bitrate_kbps == 0 or rate_index == 0b11 or (b3 & 0b11) == _RESERVED_EMPHASIS:
        return None
    sample_rate = _SAMPLE_RATES[version][rate_index]
    padding = (b2 >> 1) & 1
    samples = _SAMPLES_PER_FRAME[version]
    # bytes = (samples / 8) * bitrate / sample_rate, i.e. 144*br/sr (MPEG-1) or 72*br/sr (MPEG-2/2.5).
    length = samples // 8 * bitrate_kbps * 1000 // sample_rate + padding
    return _Frame(
        version=version,
        sample_rate=sample_rate,
        bitrate_kbps=bitrate_kbps,
        length=length,
        samples=samples,
        mono=(b3 >> 6) == _MONO,
        has_crc=(b1 & 1) == 0,  # protection bit is inverted: 0 means a CRC follows the header
    )


def id3v2_end(data: bytes) -> int:
    """The offset just past the leading ID3v2 tag(s) of ``data``; 0 when it starts with none."""
    pos = 0
    # Some taggers stack more than one tag, so keep going while tags follow.
    while data[pos : pos + 3] == b"ID3" and pos + 10 <= len(data):
        flags = data[pos + 5]
        size_bytes = data[pos + 6 : pos + 10]
        if any(b & 0x80 for b in size_bytes):
            break  # not a valid synchsafe size; let the frame scan deal with it
        size = 0
        for b in size_bytes:
            size = (size << 7) | b
        footer = 10 if flags & 0x10 else 0
        pos += 10 + size + footer
    return pos


def _walk(data: bytes, pos: int) -> tuple[list[_Frame], int]:
    """Consecutive consistent frames starting at ``pos``, and the offset just past the last one."""
    frames: list[_Frame] = []
    first: _Frame | None = None
    while True:
        frame = _parse_header(data, pos)
        if frame is None or pos + frame.length > len(data):
            break
        if first is None:
            first = frame
        elif frame.version != first.version or frame.sample_rate != first.sample_rate:
            break
        frames.append(frame)
        pos += frame.length
    return frames, pos


def _is_vbr_header_frame(data: bytes, pos: int, frame: _Frame) -> bool:
    # Xing/Info sits right after the side information, whose size depends on version and channels.
    side_info = _SIDE_INFO_BYTES[frame.version == _MPEG1, frame.mono]
    xing_at = pos + 4 + (2 if frame.has_crc else 0) + side_info
    if data[xing_at : xing_at + 4] in (b"Xing", b"Info"):
        return True
    # Fraunhofer's VBRI header is always 32 bytes after the frame header.
    return data[pos + 36 : pos + 40] == b"VBRI"


def mp3_info(data: bytes) -> Mp3Info:
    """Describe the MPEG Layer III stream in ``data``.

    Raises ``ValueError("not an MP3 ...")`` when no run of valid frames is found.
    """
    data = bytes(data)
    audio_start = id3v2_end(data)

    pos = data.find(b"\xff", audio_start)
    while pos != -1:
        frames, end = _walk(data, pos)
        whole_data = pos == audio_start and end == len(data)
        if len(frames) >= MIN_CONSECUTIVE_FRAMES or (frames and whole_data):
            break
        pos = data.find(b"\xff", pos + 1)
    else:
        raise ValueError(f"not an MP3: no run of valid MPEG Layer III frames in {len(data)} bytes")

    if len(frames) > 1 and _is_vbr_header_frame(data, pos, frames[0]):
        frames = frames[1:]

    first = frames[0]
    samples = sum(f.samples for f in frames)
    return Mp3Info(
        frames=len(frames),
        duration=samples / first.sample_rate,
        sample_rate=first.sample_rate,
        bitrate_kbps=first.bitrate_kbps,
    )
