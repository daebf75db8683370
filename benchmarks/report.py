"""The benchmarks' table: each figure beside its reference from the same run, the ratio, the target, and
whether the target is met. Rendered as Markdown, so the same text goes to the terminal and to docs/performance.md.
"""


def number(value, unit=""):
    if value != value:  # NaN: nothing to measure
        return "–"
    if abs(value) >= 100:
        text = f"{value:,.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.2f}"
    return f"{text} {unit}".strip()


def verdict(met):
    return "" if met is None else ("yes" if met else "**no**")


class Table:
    def __init__(self):
        self.rows = []
        self.notes = []

    def add(self, label, berth, reference, ratio, target="", met=None):
        self.rows.append((label, berth, reference, ratio, target, verdict(met)))

    def api(self, label, measured, reference, target, met):
        """Requests/s, then p50 / p99, each against the ceiling route at the same body size."""
        if measured["errors"]:
            self.add(f"{label}: requests/s", f"{measured['errors']} of {measured['requests']} failed",
                     f"{number(reference['rps'])} (ceiling)", "–", target.split(",")[0] if target else "",
                     False if target else None)
            return
        if not measured["requests"]:
            self.add(f"{label}: requests/s", "none finished", f"{number(reference['rps'])} (ceiling)", "–",
                     target.split(",")[0] if target else "", False if target else None)
            return
        self.add(f"{label}: requests/s", number(measured["rps"]), f"{number(reference['rps'])} (ceiling)",
                 f"{measured['rps'] / reference['rps']:.2f}×", target.split(",")[0] if target else "", met)
        self.add(f"{label}: p50 / p99",
                 f"{number(measured['p50_ms'])} / {number(measured['p99_ms'], 'ms')}",
                 f"{number(reference['p50_ms'])} / {number(reference['p99_ms'], 'ms')}",
                 f"{measured['p50_ms'] / reference['p50_ms']:.1f}× / {measured['p99_ms'] / reference['p99_ms']:.1f}×",
                 target.split(",")[1].strip() if "," in target else "", None)

    def ratio(self, label, value, reference, unit, reference_label, target="", met=None):
        ratio = value / reference if reference and reference == reference else float("nan")
        difference = value - reference
        extra = f" ({'+' if difference >= 0 else ''}{number(difference, unit)})" if unit == "ms" else ""
        self.add(label, number(value, unit), f"{number(reference, unit)} ({reference_label})",
                 (f"{ratio:.2f}×" if ratio == ratio else "–") + extra, target, met)

    def memory(self, label, figures, budget_kib=None):
        """RSS, with its anonymous part (the process's own memory) beside it."""
        kib = figures["VmRSS"]
        berth = f"{number(kib / 1024, 'MiB')} (anon {number(figures.get('RssAnon', float('nan')) / 1024, 'MiB')})"
        if budget_kib is None:
            self.add(label, berth, "", "", "", None)
        else:
            self.add(label, berth, f"{number(budget_kib / 1024, 'MiB')} (budget)",
                     f"{kib / budget_kib:.2f}×", f"< {budget_kib // 1024} MB", kib < budget_kib)

    def memory_note(self, label, kib):
        self.notes.append(f"{label}: {number(kib / 1024, 'MiB')} resident")

    def render(self, heading):
        lines = [f"Berth benchmarks — {heading}", "",
                 "| benchmark | Berth | reference (same run) | ratio | target | met |",
                 "|---|---:|---:|---:|---|---|"]
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        if self.notes:
            lines += [""] + [f"- {note}" for note in self.notes]
        return "\n".join(lines) + "\n"
