"""The result of ``verify program``: one paragraph on standard output, a JSON file and a short Markdown report."""

from __future__ import annotations

import datetime
import json
import math
import os
from pathlib import Path

from ..report import format_difference
from .compare import DIFFERS, ENDED, IDENTICAL, PATH, RAISED, Divergence, ProgramComparison
from .explain import Explanation, canonical_class, rules
from .recorder import INPUT, INPUT_GRADIENT, OUTPUT, OUTPUT_GRADIENT, PARAMETER, PARAMETER_GRADIENT, PARAMETERS

RESULT_FORMAT = "mlfcore-lint-verify-program/1"


def _site(site: str) -> str:
    path, _, line = site.rpartition(":")
    if not path:
        return site
    try:
        relative = os.path.relpath(path)
    except ValueError:
        relative = path
    return f"{relative if not relative.startswith('..') else path}:{line}"


def _condition_names(canonical: str) -> set[str]:
    _, index = rules()
    return {c.keyword for entry in index.calls.get(canonical, ()) for c in getattr(entry.matcher, "arguments", ())
            if c.keyword}


def describe_module(module: dict | None) -> str:
    """``torch.nn.Upsample(mode="trilinear") built at model.py:50``: the arguments rules look at are shown."""
    if module is None:
        return "a parameter no module owns"
    canonical = canonical_class(module["class"])
    shown = [f"{name}={json.dumps(module['arguments'][name])}" for name in sorted(_condition_names(canonical))
             if name in module.get("arguments", {})]
    call = f"{canonical}({', '.join(shown)})" if shown else canonical
    return f"`{call}` built at {_site(module['site'])}"


def describe_point(divergence: Divergence) -> str:
    module = describe_module(divergence.module)
    name = divergence.name
    return {
        INPUT: f"forward: the input of {module} (it comes from outside the modules: the data or functional code)",
        PARAMETERS: f"forward: the parameters ({name}) of {module} at its first call (their initialisation)",
        OUTPUT: f"forward of {module}",
        OUTPUT_GRADIENT: f"backward: the gradient arriving at the output of {module} (computed by what used "
                         "the output: the loss or functional code outside the modules)",
        INPUT_GRADIENT: f"backward of {module}",
        PARAMETER_GRADIENT: f"backward: the gradient of parameter `{name}` of {module}",
        PARAMETER: f"update: parameter `{name}` of {module} after the optimizer step",
    }.get(divergence.kind, f"{divergence.phase} {divergence.kind} of {module}")


def _difference(divergence: Divergence) -> str:
    if math.isinf(divergence.difference):
        return "differs in shape, dtype or non-finite values"
    bound = "" if divergence.exact else "at least "
    return f"differs by {bound}{format_difference(divergence.difference)}"


def summary(comparison: ProgramComparison, explanations: list[Explanation], runs: int) -> str:
    """The paragraph printed on standard output."""
    lines = []
    if comparison.outcome == IDENTICAL:
        lines.append(f"identical: {runs} runs gave the same bits in {comparison.records} records over "
                     f"{comparison.steps} optimizer step{'s' if comparison.steps != 1 else ''}")
    error = comparison.error
    if error is not None:
        where = f" in the {error['phase']} of {describe_module(error['module'])}" if error.get("module") else ""
        verb = "raised under the determinism switch" if comparison.outcome == RAISED else "failed"
        first_sentence = error["message"].split(". ", 1)[0].rstrip(".") + "."
        lines.append(f"{comparison.outcome}: run {error['run']} {verb} at step {error.get('step')}{where}: "
                     f"{error['type']}: {first_sentence}")
    if comparison.problem:
        lines.append(f"{comparison.outcome}: {comparison.problem}")
    divergence = comparison.divergence
    if divergence is not None:
        head = "differs" if comparison.outcome == DIFFERS else "also differs"
        if divergence.how == PATH:
            other = divergence.other
            lines.append(f"{head}: step {divergence.step}, run 1 and run {divergence.run} take different paths: "
                         f"run 1 recorded the {describe_point(divergence)}, run {divergence.run} the "
                         f"{other['phase']} {other['kind']} of {describe_module(other['module'])}")
        elif divergence.how == ENDED:
            lines.append(f"{head}: step {divergence.step}, one run stopped before the {describe_point(divergence)}")
        else:
            lines.append(f"{head}: step {divergence.step}, {describe_point(divergence)} {_difference(divergence)} "
                         f"between run 1 and run {divergence.run}")
    for explanation in explanations:
        reason = f"; {explanation.reason}" if explanation.reason else ""
        lines.append(f"  {explanation.code} explains it: {explanation.summary}{reason}")
    if divergence is not None and not explanations:
        lines.append("  no rule explains it")
    return "\n".join(lines)


def _divergence_json(divergence: Divergence | None) -> dict | None:
    if divergence is None:
        return None
    return {"run": divergence.run, "record": divergence.record, "how": divergence.how, "step": divergence.step,
            "phase": divergence.phase, "kind": divergence.kind, "name": divergence.name,
            "module": None if divergence.module is None else {
                **divergence.module, "canonical_class": canonical_class(divergence.module["class"])},
            "max_abs_diff": "inf" if math.isinf(divergence.difference) else divergence.difference,
            "exact": divergence.exact, "later_differing_records": divergence.differing_records,
            "draws_random": divergence.draws_random, "seeds": list(divergence.seeds), "other": divergence.other,
            "point": describe_point(divergence)}


def result_json(comparison: ProgramComparison, explanations: list[Explanation], options: dict, runs,
                environment: dict) -> dict:
    return {
        "format": RESULT_FORMAT,
        "created": datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat(),
        **options,
        "outcome": comparison.outcome,
        "steps_completed": comparison.steps,
        "records": comparison.records,
        "divergence": _divergence_json(comparison.divergence),
        "explanations": [{"code": e.code, "summary": e.summary, "reason": e.reason} for e in explanations],
        "error": comparison.error,
        "problem": comparison.problem,
        "runs": [{"run": r.number, "seconds": round(r.seconds, 3), "returncode": r.returncode,
                  "timed_out": r.timed_out, "steps": (r.trace or {}).get("steps"),
                  "switch": (r.trace or {}).get("switch")} for r in runs],
        "environment": environment,
        "summary": summary(comparison, explanations, len(runs)),
    }


def render_markdown(result: dict) -> str:
    environment = result["environment"]
    build = environment.get("builds", {}).get("torch", {})
    gpus = ", ".join(f"{g['name']} ({g['driver']})" for g in environment.get("gpus", [])) or "none"
    target = result.get("script") or result.get("factory")
    lines = [
        f"# Determinism of `{target}`", "",
        f"**{result['outcome']}** after {result['steps_completed']} optimizer step(s), {len(result['runs'])} runs, "
        f"setup `{result['setup']}`, device `{result['device']}`.", "",
        "```text", result["summary"], "```", "",
        "| Run | Seconds | Steps | Exit code |", "|---|---|---|---|",
        *(f"| {r['run']} | {r['seconds']:.2f} | {r['steps']} | {r['returncode']} |" for r in result["runs"]), "",
        "## Environment", "",
        f"- Python {environment.get('python')}, torch {build.get('version')}"
        + (f" (CUDA {build['cuda']}, cuDNN {build.get('cudnn')})" if build.get("cuda") else "")
        + f", device {build.get('device', '?')}",
        f"- CPU: {environment.get('cpu')} ({environment.get('cpu_count')} cores); GPUs: {gpus}; "
        f"CUDA driver: {environment.get('cuda_driver') or '–'}",
        "- Determinism variables: " + (", ".join(f"`{k}={v}`" for k, v in environment.get("variables", {}).items()
                                                 if v is not None) or "none set"), "",
    ]
    for explanation in result["explanations"]:
        lines += [f"## {explanation['code']}", "", explanation["summary"] + ".", ""]
    return "\n".join(lines)


def write_outputs(result: dict, json_path: Path | None, markdown_path: Path | None) -> list[Path]:
    from ..results import _encode

    written = []
    for path, text in ((json_path, lambda: json.dumps(_encode(result), indent=1, sort_keys=True) + "\n"),
                       (markdown_path, lambda: render_markdown(result))):
        if path is None:
            continue
        temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        temporary.write_text(text(), encoding="utf-8")
        os.replace(temporary, path)
        written.append(path)
    return written
