#!/usr/bin/env python3
"""Rebuild the synthesised audio of the starter courses with espeak-ng and oggenc.

Every recording of the courses `tieng-anh-giao-tiep-co-ban`, `tieng-tay-nhap-mon` and
`tieng-nung-nhap-mon` is made here from text, so it can be rebuilt (after a wording change, or
with a better voice) instead of being edited by hand. The list below maps each media file to
what is spoken; a clip of several segments (a dialogue) is spoken segment by segment, with a
short pause between them, and may use a different voice for each speaker.

    apt-get install -y espeak-ng vorbis-tools
    python3 scripts/make_course_audio.py              # rebuild every file
    python3 scripts/make_course_audio.py --course tieng-tay-nhap-mon
    python3 scripts/make_course_audio.py --check      # list files missing or not referenced

Output: Ogg Vorbis, mono, 16 kHz, `oggenc -q 3`, with a fixed stream serial number so that the
same text gives the same bytes (the importer then sees no change). The voices are synthetic:
the courses say so wherever the audio is played.

Tày and Nùng have no espeak-ng voice. Their words are read by the Vietnamese voice (`vi`, and
`vi+f3` for a second speaker) as an approximate reading only; where the Vietnamese voice
misreads the spelling (a doubled vowel such as "oọ", "pj", a final "j"), the text given to it
is a close Vietnamese spelling or espeak-ng phoneme input in [[...]]. The lessons say plainly
that these readings do not replace a native speaker's pronunciation.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import wave
import zlib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COURSES_DIR = ROOT / "courses"
PAUSE_SECONDS = 0.45
OGG_QUALITY = "3"
SAMPLE_RATE = "16000"

EN = "en-us"  # default English voice
EN_F = "en-us+f3"  # a second (female) English voice for dialogues
EN_GB = "en-gb"
VI = "vi"
VI_F = "vi+f3"  # a second (female) Vietnamese voice for dialogues


@dataclass(frozen=True)
class Clip:
    path: str  # relative to the course folder, e.g. media/chao-hoi/hello.ogg
    segments: tuple[tuple[str, str], ...]  # (voice, text) spoken in order
    speed: int = 140  # words per minute


def say(path: str, text: str, voice: str = EN, speed: int = 140) -> Clip:
    return Clip(path, ((voice, text),), speed)


def dialogue(path: str, *lines: tuple[str, str], speed: int = 135) -> Clip:
    return Clip(path, tuple(lines), speed)


# tieng-anh-giao-tiep-co-ban ------------------------------------------------------------------

_L1 = "media/chao-hoi/"
_L2 = "media/hoi-duong/"
_L3 = "media/so-dem/"
_L4 = "media/goi-dien/"

ENGLISH = [
    # Bài 1: chào hỏi và giới thiệu bản thân
    say(_L1 + "hello.ogg", "Hello."),
    say(_L1 + "good-morning.ogg", "Good morning."),
    say(_L1 + "good-afternoon.ogg", "Good afternoon."),
    say(_L1 + "good-evening.ogg", "Good evening."),
    say(_L1 + "good-night.ogg", "Good night."),
    say(_L1 + "goodbye.ogg", "Goodbye."),
    say(_L1 + "see-you-later.ogg", "See you later."),
    say(_L1 + "how-are-you.ogg", "How are you?"),
    say(_L1 + "im-fine-thank-you.ogg", "I'm fine, thank you. And you?"),
    say(_L1 + "my-name-is-lan.ogg", "My name is Lan."),
    say(_L1 + "please-call-me-lan.ogg", "Please call me Lan."),
    say(_L1 + "nice-to-meet-you.ogg", "Nice to meet you."),
    say(_L1 + "nice-to-meet-you-too.ogg", "Nice to meet you, too."),
    say(_L1 + "where-are-you-from.ogg", "Where are you from?"),
    say(_L1 + "im-from-vietnam.ogg", "I'm from Vietnam."),
    say(_L1 + "im-a-civil-servant.ogg", "I'm a civil servant."),
    say(_L1 + "i-work-at.ogg", "I work at the Department of Ethnic and Religious Affairs."),
    dialogue(
        _L1 + "hoi-thoai.ogg",
        (
            EN_F,
            "Good morning. My name is Lan. "
            "I work at the Department of Ethnic and Religious Affairs.",
        ),
        (EN_GB, "Good morning, Lan. I'm David Brown. Nice to meet you."),
        (EN_F, "Nice to meet you, too. Where are you from?"),
        (EN_GB, "I'm from Australia. And you?"),
        (EN_F, "I'm from Bac Ninh, in the north of Vietnam."),
    ),
    # Bài 2: hỏi đường, nơi làm việc
    say(_L2 + "excuse-me.ogg", "Excuse me."),
    say(_L2 + "where-is-the-meeting-room.ogg", "Where is the meeting room?"),
    say(_L2 + "where-is-the-restroom.ogg", "Where is the restroom?"),
    say(_L2 + "how-do-i-get-to-reception.ogg", "How do I get to the reception desk?"),
    say(_L2 + "go-straight-ahead.ogg", "Go straight ahead."),
    say(_L2 + "turn-left.ogg", "Turn left."),
    say(_L2 + "turn-right.ogg", "Turn right."),
    say(_L2 + "go-upstairs.ogg", "Go upstairs."),
    say(_L2 + "second-floor.ogg", "It's on the second floor."),
    say(_L2 + "next-to-the-elevator.ogg", "It's next to the elevator."),
    say(_L2 + "opposite-reception.ogg", "It's opposite the reception desk."),
    say(_L2 + "end-of-the-corridor.ogg", "It's at the end of the corridor."),
    say(_L2 + "this-way-please.ogg", "This way, please."),
    say(_L2 + "thank-you-for-your-help.ogg", "Thank you for your help."),
    say(_L2 + "youre-welcome.ogg", "You're welcome."),
    say(_L2 + "office.ogg", "office", speed=130),
    say(_L2 + "meeting-room.ogg", "meeting room", speed=130),
    say(_L2 + "reception.ogg", "reception", speed=130),
    say(_L2 + "stairs.ogg", "stairs", speed=130),
    say(_L2 + "elevator.ogg", "elevator", speed=130),
    say(_L2 + "which-department.ogg", "Which department do you work in?"),
    say(_L2 + "i-work-in-the-administration-office.ogg", "I work in the Administration Office."),
    dialogue(
        _L2 + "hoi-thoai.ogg",
        (EN_GB, "Excuse me. Where is the meeting room, please?"),
        (EN_F, "It's on the second floor. Go upstairs and turn right. It's next to the elevator."),
        (EN_GB, "Thank you for your help."),
        (EN_F, "You're welcome."),
    ),
    # Bài 3: số đếm, ngày tháng, giờ
    *[
        say(_L3 + name + ".ogg", word, speed=130)
        for name, word in [
            ("zero", "zero"),
            ("one", "one"),
            ("two", "two"),
            ("three", "three"),
            ("four", "four"),
            ("five", "five"),
            ("six", "six"),
            ("seven", "seven"),
            ("eight", "eight"),
            ("nine", "nine"),
            ("ten", "ten"),
            ("eleven", "eleven"),
            ("twelve", "twelve"),
            ("thirteen", "thirteen"),
            ("thirty", "thirty"),
            ("fifteen", "fifteen"),
            ("fifty", "fifty"),
            ("one-hundred", "one hundred"),
            ("one-thousand", "one thousand"),
            ("first", "first"),
            ("second", "second"),
            ("third", "third"),
            ("monday", "Monday"),
            ("tuesday", "Tuesday"),
            ("wednesday", "Wednesday"),
            ("thursday", "Thursday"),
            ("friday", "Friday"),
            ("saturday", "Saturday"),
            ("sunday", "Sunday"),
            ("january", "January"),
            ("february", "February"),
            ("march", "March"),
            ("april", "April"),
            ("may", "May"),
            ("june", "June"),
            ("july", "July"),
            ("august", "August"),
            ("september", "September"),
            ("october", "October"),
            ("november", "November"),
            ("december", "December"),
        ]
    ],
    say(_L3 + "what-time-is-it.ogg", "What time is it?"),
    say(_L3 + "nine-oclock.ogg", "It's nine o'clock."),
    say(_L3 + "half-past-two.ogg", "It's half past two."),
    say(_L3 + "quarter-to-five.ogg", "It's a quarter to five."),
    say(_L3 + "ten-fifteen.ogg", "It's ten fifteen."),
    say(_L3 + "whats-the-date-today.ogg", "What's the date today?"),
    say(_L3 + "fifth-of-april.ogg", "It's the fifth of April."),
    say(_L3 + "meeting-on-monday.ogg", "The meeting is on Monday at nine a.m."),
    say(
        _L3 + "phone-number.ogg",
        "My phone number is oh nine one two, three four five, six seven eight.",
    ),
    # Bài 4: gọi điện, hẹn gặp
    say(
        _L4 + "this-is-lan.ogg",
        "Hello, this is Lan from the Department of Ethnic and Religious Affairs.",
    ),
    say(_L4 + "may-i-speak-to.ogg", "May I speak to Mr. Brown, please?"),
    say(_L4 + "whos-calling.ogg", "Who's calling, please?"),
    say(_L4 + "hold-on-please.ogg", "Hold on, please."),
    say(_L4 + "one-moment-please.ogg", "One moment, please."),
    say(_L4 + "not-available.ogg", "I'm sorry, he's not available right now."),
    say(_L4 + "take-a-message.ogg", "Can I take a message?"),
    say(_L4 + "speak-more-slowly.ogg", "Could you speak more slowly, please?"),
    say(_L4 + "repeat-that.ogg", "Could you repeat that, please?"),
    say(_L4 + "spell-that.ogg", "Could you spell that, please?"),
    say(_L4 + "make-an-appointment.ogg", "I'd like to make an appointment."),
    say(_L4 + "free-on-thursday.ogg", "Are you free on Thursday?"),
    say(_L4 + "how-about-ten.ogg", "How about ten o'clock?"),
    say(_L4 + "thats-fine.ogg", "That's fine. See you on Thursday."),
    say(_L4 + "cant-make-it.ogg", "I'm afraid I can't make it."),
    say(_L4 + "reschedule.ogg", "Can we reschedule?"),
    say(_L4 + "send-an-email.ogg", "I'll send you an email to confirm."),
    say(_L4 + "thank-you-for-calling.ogg", "Thank you for calling."),
    dialogue(
        _L4 + "hoi-thoai.ogg",
        (EN_GB, "Good morning. Green Valley Company."),
        (
            EN_F,
            "Hello, this is Lan from the Department of Ethnic and Religious Affairs. "
            "May I speak to Mr. Brown, please?",
        ),
        (
            EN_GB,
            "One moment, please. I'm sorry, he's not available right now. Can I take a message?",
        ),
        (EN_F, "Yes, please. I'd like to make an appointment with him. Is he free on Thursday?"),
        (EN_GB, "Yes, he is free on Thursday morning. How about ten o'clock?"),
        (EN_F, "That's fine. I'll send an email to confirm. Thank you."),
        (EN_GB, "Thank you for calling. Goodbye."),
    ),
]

# tieng-tay-nhap-mon and tieng-nung-nhap-mon ------------------------------------------------------
# Approximate readings by the Vietnamese voice. Spoken text differs from the written Tày or Nùng
# word only where noted.


def _tay_nung_words(folder: str, words: list[tuple[str, str]]) -> list[Clip]:
    """One slow Vietnamese-voice clip per (file name, spoken text) in folder."""
    return [say(f"{folder}{name}.ogg", text, VI, 110) for name, text in words]


# Four to nine are written alike in the Tày and Nùng sources (S1): one list for both courses.
FOUR_TO_NINE = [
    ("sli", "slí"),
    ("ha", "hả"),
    ("soc", "sốc"),
    ("chat", "chất"),
    ("pet", "pét"),
    ("cau", "cẩu"),
]

TAY = [
    say("media/so-dem/slong.ogg", "slong", VI, 110),
    say("media/so-dem/slam.ogg", "slam", VI, 110),
    say("media/so-dem/slip.ogg", "slíp", VI, 110),
    say("media/tu-thuong-gap/mi-chac.ogg", "mí chắc", VI, 110),
    # "noọng": the Vietnamese voice reads "oọ" as "wọ"; give it a long o with the nặng tone.
    say("media/tu-thuong-gap/noong.ogg", "[[n'O6N]]", VI, 110),
    say("media/tu-thuong-gap/pi-noong.ogg", "pì [[n'O6N]]", VI, 110),
    say("media/tu-thuong-gap/kin.ogg", "kin", VI, 110),
    # "khiing": the voice switches to English on the unknown spelling; "khing" keeps it Vietnamese.
    say("media/chu-viet/khiing.ogg", "khing", VI, 110),
    # Version 2.0: greetings, numbers 1-10, family, everyday questions, a dialogue.
    *_tay_nung_words(
        "media/chao-hoi/",
        [
            ("pay-hau", "pây hâư"),
            ("het-lang", "hết lăng"),
            ("mi-reng", "mì rèng"),
            ("van-day", "vằn đây"),
            ("pua-day-no", "pưa đảy nơ"),
            # "pj": the voice has no such onset; "pi" + vowel is the close Vietnamese reading.
            ("pjom-bai", "piom bái á"),
            ("du-ruon-lo", "chài Hùng dú rườn lo?"),
        ],
    ),
    *_tay_nung_words(
        "media/so-dem/",
        [
            ("nang", "nâng"),
            ("deo", "đeo"),
            *FOUR_TO_NINE,
        ],
    ),
    *_tay_nung_words(
        "media/gia-dinh/",
        [
            ("cha-ly", "cha ly"),
            ("luc-chai", "lục chài"),
            ("lan-chai", "lan chài"),
            ("lan-nhinh", "lan nhình"),
            # "oóc": a doubled vowel; read as a single "óc".
            ("me-ooc", "me óc"),
            ("me-nhinh", "me nhình"),
            ("pi-lua", "pi lùa"),
            ("tua-coc", "tua cốc"),
            ("tua-pjai", "tua piai"),
        ],
    ),
    *_tay_nung_words(
        "media/tu-thuong-gap/",
        [
            ("ky-lai", "kỷ lai"),
            ("ky-lai-hang", "kỉ lai hâng"),
            ("do-hau", "dờ hâư"),
            ("an-nay", "ăn náy lè ăn cà lăng?"),
            ("van-nay", "vằn nẩy"),
            ("lao-lung", "láo lúng"),
        ],
    ),
    dialogue(
        "media/hoi-thoai/lam-quen.ogg",
        # "loọng": the voice reads "oọ" as "wọ"; "lọng" is the close reading.
        (VI, "Chào chài! Khỏi xo slam, chài tên lọng lăng nẹ?"),
        (VI_F, "Khỏi ten lọng Bình. Nhằng chài né?"),
        (VI, "Khỏi ten lọng An. Que khỏi dú Lạng Sơn."),
        speed=110,
    ),
]

NUNG = [
    *_tay_nung_words(
        "media/chao-hoi/",
        [
            ("pay-tau", "pây tâư"),
            ("het-lang", "hêt lăng"),
            ("mi-reng", "mì rèng"),
            ("van-day", "vằn đây"),
            ("pua-day-no", "pưa đảy nơ"),
            ("sleng", "slèng"),
        ],
    ),
    *_tay_nung_words(
        "media/so-dem/",
        [
            ("nang", "nâng"),
            # "sloong": a doubled vowel; read as "slong".
            ("sloong", "slong"),
            ("slam", "slam"),
            *FOUR_TO_NINE,
            ("slip", "slíp"),
        ],
    ),
    *_tay_nung_words(
        "media/gia-dinh/",
        [
            ("cha-ly", "cha ly"),
            ("luc-chai", "lục chài"),
            ("lan-chai", "lan chài"),
            ("lan-nhinh", "lan nhình"),
            ("au-khuoi", "au khươi"),
            ("au-lua", "au lùa"),
            ("pi", "pi"),
            ("slao", "slao"),
            ("a", "a"),
            ("bac", "bảc"),
            ("noong", "[[n'O6N]]"),
        ],
    ),
    *_tay_nung_words(
        "media/cau-thuong-dung/",
        [
            ("bau", "bấu"),
            ("pen-slu", "pền slừ"),
            ("to", "tố"),
            ("can", "căn"),
            ("xau", "xáu"),
            ("minh", "mình"),
            # "roọng": the voice reads "oọ" as "wọ"; "rọng" is the close reading.
            ("roong", "rọng"),
            ("lau", "lầu"),
            ("chao-tong", "chao tồng"),
            ("ca-pen-cam", "cạ pền cằm bấu chử"),
        ],
    ),
    # "ngoj": final "j" is not Vietnamese spelling; "ngoi" is the close reading.
    dialogue(
        "media/hoi-thoai/lam-quen.ogg",
        (VI, "Nỉ slèng bấu?"),
        (VI_F, "Slèng chầy. Nỉ nẹ?"),
        (VI, "Ngoi tố slèng chầy."),
        (VI_F, "Mình nỉ rọng pền slừ nỏ?"),
        (VI, "Ngoi lẻ Hà."),
        (VI_F, "Ngoi lẻ Chung."),
        speed=110,
    ),
]

COURSES: dict[str, list[Clip]] = {
    "tieng-anh-giao-tiep-co-ban": ENGLISH,
    "tieng-tay-nhap-mon": TAY,
    "tieng-nung-nhap-mon": NUNG,
}


# Building -------------------------------------------------------------------------------------


def _synthesise(clip: Clip, workdir: Path) -> Path:
    """Speak every segment to WAV and join them with pauses; return the joined WAV."""
    params = None
    frames: list[bytes] = []
    for index, (voice, text) in enumerate(clip.segments):
        part = workdir / f"part{index}.wav"
        subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(clip.speed), "-w", str(part), text],
            check=True,
        )
        with wave.open(str(part), "rb") as reader:
            if params is None:
                params = reader.getparams()
            elif (
                reader.getframerate() != params.framerate
                or reader.getnchannels() != params.nchannels
            ):
                raise SystemExit(f"{clip.path}: voices give different audio formats")
            if frames:
                silence = (
                    int(params.framerate * PAUSE_SECONDS) * params.sampwidth * params.nchannels
                )
                frames.append(b"\x00" * silence)
            frames.append(reader.readframes(reader.getnframes()))
    joined = workdir / "joined.wav"
    with wave.open(str(joined), "wb") as writer:
        writer.setnchannels(params.nchannels)
        writer.setsampwidth(params.sampwidth)
        writer.setframerate(params.framerate)
        writer.writeframes(b"".join(frames))
    return joined


def _encode(wav: Path, out: Path, clip: Clip) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    serial = zlib.crc32(clip.path.encode()) & 0x7FFFFFFF
    text = " / ".join(text for _voice, text in clip.segments)
    subprocess.run(
        [
            "oggenc",
            "-Q",
            "-q",
            OGG_QUALITY,
            "--resample",
            SAMPLE_RATE,
            "-s",
            str(serial),
            "--utf8",
            "-t",
            text[:200],
            "-a",
            "espeak-ng (giọng đọc tổng hợp)",
            "-c",
            "COMMENT=Synthesised speech (espeak-ng, GPLv3); not a native speaker's voice.",
            "-o",
            str(out),
            str(wav),
        ],
        check=True,
    )


def build(slug: str, clips: list[Clip]) -> int:
    folder = COURSES_DIR / slug
    total = 0
    with tempfile.TemporaryDirectory() as tmp:
        for clip in clips:
            workdir = Path(tmp)
            wav = _synthesise(clip, workdir)
            out = folder / clip.path
            _encode(wav, out, clip)
            total += out.stat().st_size
            print(f"{slug}/{clip.path}  {out.stat().st_size:>7} B")
    return total


_MEDIA_REF_RE = re.compile(r"media/[a-z0-9][a-z0-9._/-]*\.ogg")


def check(slug: str, clips: list[Clip]) -> bool:
    """Compare the audio the lessons refer to with the list above; say what differs."""
    folder = COURSES_DIR / slug
    referenced: set[str] = set()
    for md in folder.glob("*.md"):
        referenced.update(_MEDIA_REF_RE.findall(md.read_text(encoding="utf-8")))
    listed = {clip.path for clip in clips}
    ok = True
    for path in sorted(referenced - listed):
        print(f"{slug}: {path} is used by a lesson but not made by this script")
        ok = False
    for path in sorted(listed - referenced):
        print(f"{slug}: {path} is made by this script but no lesson uses it")
        ok = False
    for path in sorted(listed):
        if not (folder / path).is_file():
            print(f"{slug}: {path} has not been built yet")
            ok = False
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--course", choices=sorted(COURSES), help="only this course")
    parser.add_argument("--check", action="store_true", help="only compare lessons and list")
    args = parser.parse_args()
    selected = {args.course: COURSES[args.course]} if args.course else COURSES
    if args.check:
        results = [check(slug, clips) for slug, clips in selected.items()]
        return 0 if all(results) else 1
    for tool in ("espeak-ng", "oggenc"):
        if shutil.which(tool) is None:
            print(f"{tool} not found: apt-get install -y espeak-ng vorbis-tools", file=sys.stderr)
            return 1
    for slug, clips in selected.items():
        size = build(slug, clips)
        print(f"{slug}: {len(clips)} files, {size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
