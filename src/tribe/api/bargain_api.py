"""API of 砍价."""

from ninja import Router

router = Router()
