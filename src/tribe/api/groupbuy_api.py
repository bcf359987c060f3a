"""API of 拼团."""

from ninja import Router

router = Router()
