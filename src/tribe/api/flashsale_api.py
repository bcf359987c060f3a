"""API of 秒杀."""

from ninja import Router

router = Router()
