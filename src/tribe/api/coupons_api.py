"""API of 优惠券."""

from ninja import Router

router = Router()
