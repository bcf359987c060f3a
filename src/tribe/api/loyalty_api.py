"""API of 会员积分与等级."""

from ninja import Router

router = Router()
