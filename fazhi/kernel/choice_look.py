"""How choice buttons look: the option text on the button, one option a line, and a selected
state no one can miss (filled blue with a check mark).

ipywidgets lays ToggleButtons out in a row and cuts long labels off; a small stylesheet shown
with each choice item (an HTML widget: widget HTML is not sanitised) stacks and wraps them.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

CHOICE_KINDS = ("single", "multiple", "truefalse", "choice")
SELECTED_ICON = "check"  # Font Awesome glyph (ships with ipywidgets)
CHOICE_CLASS, OPTIONS_CLASS, OPTION_CLASS = "fazhi-choice", "fazhi-options", "fazhi-option"
CHOICE_CSS = (
    "<style>"
    f".{OPTIONS_CLASS} > div{{display:flex;flex-direction:column;align-items:flex-start;gap:4px}}"
    f".{OPTIONS_CLASS} .widget-toggle-button,.{OPTION_CLASS}{{height:auto;"
    "min-height:var(--jp-widgets-inline-height);white-space:normal;text-align:left;"
    "line-height:1.5;padding:3px 12px;max-width:100%}"
    f".{CHOICE_CLASS} .widget-toggle-button.mod-active,.{OPTION_CLASS}.mod-active"
    "{background:#1f6feb;color:#fff;box-shadow:none}"
    f".{CHOICE_CLASS} .widget-toggle-button i,.{OPTION_CLASS} i{{margin:0 6px}}"
    "</style>"
)


def option_label(letter: str, text: str) -> str:
    """``A．罚款``: the letter the officer sees and the option's text."""
    return f"{letter}．{text}" if text else letter


def style_choices(control: widgets.ToggleButtons, *, stacked: bool) -> None:
    """Mark the chosen button with a check; ``stacked``: one option a line (the options)."""
    control.add_class(CHOICE_CLASS)
    if stacked:
        control.add_class(OPTIONS_CLASS)
    control.observe(lambda _change: _mark_selected(control), names="value")


def style_option(button: widgets.ToggleButton) -> None:
    """A multiple-choice option button: filled blue with a check while chosen."""
    button.layout.width = "auto"
    button.add_class(OPTION_CLASS)
    button.observe(_mark_toggled, names="value")


def stylesheet() -> widgets.HTML:
    return widgets.HTML(CHOICE_CSS)


def _mark_selected(control: widgets.ToggleButtons) -> None:
    values = control._options_values  # the values behind the labels, in display order
    control.icons = [SELECTED_ICON if value == control.value else "" for value in values]


def _mark_toggled(change: Any) -> None:
    button = change["owner"]
    button.button_style = "info" if change["new"] else ""
    button.icon = SELECTED_ICON if change["new"] else ""
