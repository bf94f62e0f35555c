"""Placeholder: filled in by the issue-4 work on circular."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add this feature's handlers."""
