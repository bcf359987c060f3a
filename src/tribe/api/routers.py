"""Registers every area's router under /api/v1.

Each path lives in exactly one router: ninja turns each (router, path) into one Django URL, so the same path
split over two routers would answer 405 for the methods of the second.
"""

from . import (
    accounts,
    analytics_api,
    bargain_api,
    brands,
    bundles,
    cart,
    catalog,
    checkout,
    commissions_api,
    console_orders,
    coupons_api,
    curation_api,
    distribution_api,
    fans_api,
    feed_api,
    flashsale_api,
    groupbuy_api,
    lottery_api,
    loyalty_api,
    messaging_api,
    notifications_api,
    orders,
    posts_api,
    presale_api,
    qa_api,
    reach_api,
    referrals_api,
    search,
    social,
    trials_api,
)
from . import circles as circles_api
from . import proof as proof_api
from . import reviews as reviews_api
from .urls import api

api.add_router("", accounts.router)
api.add_router("", brands.router)
api.add_router("", catalog.router)
api.add_router("", search.router)
api.add_router("", bundles.router)
api.add_router("", cart.router)
api.add_router("", checkout.router)
api.add_router("", orders.router)
api.add_router("", console_orders.router)
api.add_router("", circles_api.router)
api.add_router("", social.router)
api.add_router("", reviews_api.router)
api.add_router("", proof_api.router)
api.add_router("", posts_api.router)
api.add_router("", curation_api.router)
api.add_router("", qa_api.router)
api.add_router("", fans_api.router)
api.add_router("", feed_api.router)
api.add_router("", messaging_api.router)
api.add_router("", notifications_api.router)
api.add_router("", distribution_api.router)
api.add_router("", commissions_api.router)
api.add_router("", referrals_api.router)
api.add_router("", loyalty_api.router)
api.add_router("", coupons_api.router)
api.add_router("", groupbuy_api.router)
api.add_router("", bargain_api.router)
api.add_router("", flashsale_api.router)
api.add_router("", lottery_api.router)
api.add_router("", trials_api.router)
api.add_router("", presale_api.router)
api.add_router("", reach_api.router)
api.add_router("", analytics_api.router)
