"""API of 预售."""

from ninja import Router

router = Router()
