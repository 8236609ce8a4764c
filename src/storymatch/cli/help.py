"""How `--help` reads: placeholders a user understands (A, B, PATHS..., --store DIR) instead of type names.

typer's help prints each parameter's Python type (`<bool>`, `<str>`, `<list[Path]>`) and wraps required
arguments in braces (`Usage: storymatch compare [OPTIONS] {a} {b}`). `tidy` walks the command tree once, before
it runs, and gives every parameter a metavar: arguments their upper-cased name, flags (--help too) none, options
a word for what they take. It sets click's own `metavar` and `get_usage_pieces`, plus typer's `display_type_rich` on
arguments (typer shows an argument's type whatever its metavar); if typer renames that, only the look of the
help changes.
"""

from __future__ import annotations

from typing import Any

# Options whose value is better named by what it is than by its Python type.
METAVARS = {
    "--store": "DIR", "--out": "PATH", "--csv": "FILE", "--scorer": "FILE|rules", "--model": "NAME",
    "--paraphrase-model": "NAME", "--translation-model": "NAME", "--tier": "TIER", "--master": "URL",
    "--format": "jsonl|parquet", "--date-a": "DATE", "--date-b": "DATE", "--title-a": "TEXT", "--title-b": "TEXT",
    "--host": "ADDRESS", "--port": "PORT", "--token": "TOKEN",
}
BY_TYPE: dict[type, str] = {int: "N", float: "NUMBER", str: "TEXT"}


def tidy(command: Any) -> Any:
    """`command` (a click command from typer.main.get_command) with readable help, recursively; returns it."""
    _plain(command)
    for param in getattr(command, "params", []):
        _plain(param)
        kind = getattr(param, "param_type_name", "")
        if kind == "argument":
            name = (param.name or "").upper().replace("_", "-")
            many = param.nargs != 1
            param.metavar = name + ("..." if many else "")
            piece = param.metavar if param.required else f"[{param.metavar}]"
            param.get_usage_pieces = lambda ctx, piece=piece: [piece]
            param.display_type_rich = lambda ctx: None
        elif kind == "option" and param.metavar is None:
            param.metavar = "" if getattr(param, "is_flag", False) or getattr(param, "count", False) else _word(param)
    make_help = getattr(command, "get_help_option", None)
    if make_help is not None:  # --help is made per run, not kept in params
        command.get_help_option = lambda ctx: _no_metavar(make_help(ctx))
    for sub in (getattr(command, "commands", None) or {}).values():
        tidy(sub)
    return command


def _plain(thing: Any) -> None:
    """A command's or parameter's help shown as written (escaped for rich markup), once per object."""
    from rich.markup import escape

    if getattr(thing, "help", None) and not getattr(thing, "_storymatch_plain", False):
        thing.help = escape(thing.help)
        thing._storymatch_plain = True


def _no_metavar(option: Any) -> Any:
    if option is not None:
        option.metavar = ""
    return option


def _word(option: Any) -> str:
    for name in option.opts:
        if name in METAVARS:
            return METAVARS[name]
    annotation = getattr(getattr(option, "type_descriptor", None), "annotation", None)
    if annotation is not None and getattr(annotation, "__name__", "") in ("Path", "PosixPath"):
        return "PATH"
    return BY_TYPE.get(annotation, "VALUE") if isinstance(annotation, type) else "VALUE"
