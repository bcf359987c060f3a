"""API of 邮件与推送."""

from ninja import Router

router = Router()
