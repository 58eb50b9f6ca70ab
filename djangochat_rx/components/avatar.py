"""A person's picture wherever their name shows: the one they uploaded, or the generated one (their initials
on their name's colour, drawn here with CSS, no image). The pictures come from assets/avatars.js, which
holds every uploaded picture the page knows and takes each change live (an AvatarChanged event)."""

import reflex as rx
from reflex_base.vars import VarData

from djangochat_rx.state.auth import AuthState

_MODULE = "$/public/avatars.js"
_NAME = "avatarPictures"


def picture_of(name: rx.Var[str]) -> rx.Var[str]:
    """The URL of `name`'s uploaded picture as this page knows it now ("" for the generated one)."""
    return _pictures()[name].to(str)


def _pictures() -> rx.Var:
    hook = f"const {_NAME} = useAvatars({AuthState.get_full_name()!r});"
    data = VarData(imports={_MODULE: ["useAvatars"]}, hooks={hook: None})
    return rx.Var(_js_expr=_NAME, _var_type=dict[str, str], _var_data=data).to(dict[str, str])


def _call(function: str, name: rx.Var[str]) -> rx.Var[str]:
    data = VarData.merge(name._get_all_var_data(), VarData(imports={_MODULE: [function]}))
    return rx.Var(_js_expr=f"{function}({name!s})", _var_type=str, _var_data=data).to(str)


def avatar(name: rx.Var[str] | str, size: str = "small", files_base: rx.Var[str] | None = None) -> rx.Component:
    """`name`'s picture, `size` "small" (beside messages, in lists) or "large" (a profile); `files_base`:
    AuthState.files_base unless the caller has it as a prop (a message's row reads no state)."""
    name = rx.Var.create(name).to(str)
    url = picture_of(name)
    base = AuthState.files_base if files_base is None else files_base
    return rx.cond(
        url,
        rx.el.img(src=base + url, alt="", class_name=f"avatar avatar-{size}", data_avatar=name),
        rx.el.span(
            _call("avatarInitials", name),
            class_name=f"avatar avatar-{size} avatar-generated",
            data_colour=_call("avatarColour", name),
            data_avatar=name,
            aria_hidden="true",
        ),
    )
