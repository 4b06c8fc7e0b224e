"""lingua's low-accuracy mode against its high-accuracy mode: accuracy, memory and time.

    python benchmarks/language_detection.py

The texts: every sentence of tests/data/languages/*.yaml (our per-language sets) and every
paragraph of the two bundled sample corpora (English and Korean), each labelled with its language.
Each mode runs in a process of its own, so its memory is its own: the figure is the growth of the
process's peak resident memory from building the detector and detecting every text. Two accuracies
are printed: lingua's alone, and our paragraph rule (scripts, English function words, then lingua
in low-accuracy mode; what the pipeline uses) on the same texts.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def texts() -> list[tuple[str, str]]:
    """(language, text) pairs."""
    out: list[tuple[str, str]] = []
    for path in sorted((ROOT / "tests" / "data" / "languages").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        out += [(data["language"], s["text"]) for s in data["sentences"]]
    for lang, folder in (("en", "sample"), ("ko", "sample_ko")):
        for path in sorted((ROOT / "solidarity_graph" / "data" / folder).iterdir()):
            out += [(lang, line) for line in path.read_text(encoding="utf-8").splitlines() if len(line.split()) >= 6]
    return out


def run_mode(mode: str) -> dict[str, object]:
    """Build the detector in ``mode`` (low / high / rule) and detect every text; in this process."""
    from lingua import Language, LanguageDetectorBuilder

    items = texts()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    if mode == "rule":
        from solidarity_graph.extract.language import paragraph_language

        guesses = [paragraph_language(t) or "?" for _, t in items]
    else:
        builder = LanguageDetectorBuilder.from_languages(
            Language.ENGLISH, Language.KOREAN, Language.JAPANESE, Language.SPANISH, Language.FRENCH,
            Language.PORTUGUESE, Language.ITALIAN)
        detector = (builder.with_low_accuracy_mode() if mode == "low" else builder).build()
        found = [detector.detect_language_of(t) for _, t in items]
        guesses = [f.iso_code_639_1.name.lower() if f else "?" for f in found]
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    per_lang: dict[str, list[int]] = {}
    for (lang, _), guess in zip(items, guesses, strict=True):
        hit = per_lang.setdefault(lang, [0, 0])
        hit[0] += guess == lang
        hit[1] += 1
    right = sum(h for h, _ in per_lang.values())
    return {"mode": mode, "texts": len(items), "accuracy": right / len(items), "seconds": seconds,
            "memory_mb": (peak - before) / 1024, "per_language": {k: round(h / n, 3) for k, (h, n) in sorted(per_lang.items())}}


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--mode":
        print(json.dumps(run_mode(sys.argv[2])))
        return
    print(f"{'mode':<6} {'texts':>5} {'accuracy':>8} {'memory MB':>9} {'ms/text':>7}  per language")
    for mode in ("low", "high", "rule"):
        out = subprocess.run([sys.executable, __file__, "--mode", mode], capture_output=True, text=True, check=True)
        r = json.loads(out.stdout)
        ms = 1000 * float(r["seconds"]) / int(r["texts"])
        print(f"{r['mode']:<6} {r['texts']:>5} {r['accuracy']:>8.3f} {r['memory_mb']:>9.0f} {ms:>7.2f}  {r['per_language']}")


if __name__ == "__main__":
    main()
