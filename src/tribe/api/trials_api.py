"""API of 试用."""

from ninja import Router

router = Router()
