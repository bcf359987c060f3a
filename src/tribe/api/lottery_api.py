"""API of 抽奖."""

from ninja import Router

router = Router()
