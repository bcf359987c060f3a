"""Brand console URLs, mounted at /console/. Every URL under <brand_slug>/ passes the brand gate
(tribe.web.console.base.brand_view): anonymous → login, staff of another brand → 403."""

from django.urls import include, path

from tribe.web import campaigns_views
from tribe.web import commissions_console_views as commissions
from tribe.web import console_support_views as support
from tribe.web import distribution_console_views as distribution
from tribe.web import fans_console_views as fans
from tribe.web import referrals_views as referrals
from tribe.web.console import aftersales, home, orders, placements, products, skus, station, stock, stores

app_name = "console"

B = "<slug:brand_slug>/"

urlpatterns = [
    path("", home.index, name="index"),
    path(B, home.dashboard, name="dashboard"),
    # station content
    path(B + "station/", station.station, name="station"),
    path(B + "station/image/", station.station_image, name="station_image"),
    path(B + "station/news/", station.news_add, name="news_add"),
    path(B + "station/news/<int:news_id>/delete/", station.news_delete, name="news_delete"),
    path(B + "station/media/video/", station.video_add, name="video_add"),
    path(B + "station/media/image/", station.media_image_add, name="media_image_add"),
    path(B + "station/media/<int:media_id>/delete/", station.media_delete, name="media_delete"),
    # stores
    path(B + "stores/", stores.store_list, name="stores"),
    path(B + "stores/<int:store_id>/", stores.store_edit, name="store_edit"),
    # products, SKUs, images
    path(B + "products/", products.product_list, name="products"),
    path(B + "products/new/", products.product_create, name="product_new"),
    path(B + "products/<int:product_id>/", products.product_edit, name="product"),
    path(B + "products/<int:product_id>/publish/", products.product_publish, name="product_publish"),
    path(B + "products/<int:product_id>/skus/", skus.sku_add, name="sku_add"),
    path(B + "products/<int:product_id>/images/", products.image_add, name="image_add"),
    path(
        B + "products/<int:product_id>/images/<int:image_id>/delete/",
        products.image_delete,
        name="image_delete",
    ),
    path(B + "skus/<int:sku_id>/", skus.sku_edit, name="sku_edit"),
    path(B + "skus/<int:sku_id>/row/", skus.sku_row, name="sku_row"),
    # orders, shipping, after-sales, stock
    path(B + "orders/", orders.order_list, name="orders"),
    path(B + "orders/<int:store_order_id>/", orders.order_detail, name="order_detail"),
    path(B + "orders/<int:store_order_id>/ship/", orders.order_ship, name="order_ship"),
    path(B + "shipments/<int:shipment_id>/deliver/", orders.shipment_deliver, name="shipment_deliver"),
    path(B + "refunds/", aftersales.refund_list, name="refunds"),
    path(B + "refunds/<int:request_id>/", aftersales.refund_detail, name="refund_detail"),
    path(B + "refunds/<int:request_id>/approve/", aftersales.refund_approve, name="refund_approve"),
    path(B + "refunds/<int:request_id>/reject/", aftersales.refund_reject, name="refund_reject"),
    path(B + "refunds/<int:request_id>/returned/", aftersales.refund_returned, name="refund_returned"),
    path(B + "stock/", stock.stock_list, name="stock"),
    # customer service (tribe.messaging support threads)
    path(B + "support/", support.support_inbox, name="support"),
    path(B + "support/<int:thread_id>/", support.support_thread, name="support_thread"),
    # content stations
    path(B + "placements/", placements.placement_list, name="placements"),
    path(B + "placements/<int:placement_id>/delete/", placements.placement_delete, name="placement_delete"),
    # fan community (tribe.fans)
    path(B + "fans/", fans.settings, name="fans"),
    path(B + "fans/members/", fans.members, name="fans_members"),
    path(B + "fans/polls/", fans.polls, name="fans_polls"),
    path(B + "fans/polls/<int:poll_id>/", fans.poll, name="fans_poll"),
    path(B + "fans/polls/<int:poll_id>/close/", fans.poll_close, name="fans_poll_close"),
    path(B + "fans/early-access/", fans.early_access, name="fans_early"),
    path(B + "fans/early-access/<int:product_id>/clear/", fans.early_access_clear, name="fans_early_clear"),
    # commission payouts (tribe.commissions)
    path(B + "payouts/", commissions.payouts, name="payouts"),
    path(B + "payouts.csv", commissions.payouts_export, name="payouts_csv"),
    path(B + "payouts/<int:payout_id>/approve/", commissions.payout_approve, name="payout_approve"),
    path(B + "payouts/<int:payout_id>/reject/", commissions.payout_reject, name="payout_reject"),
    # promoters (tribe.distribution)
    path(B + "promoters/", distribution.promoters, name="promoters"),
    path(B + "promoters/invite/", distribution.invite, name="promoter_invite"),
    path(B + "promoters/<int:promoter_id>/<str:action>/", distribution.promoter_action, name="promoter_action"),
    # held referral/share rewards (tribe.referrals)
    path(B + "rewards/", referrals.console_rewards, name="rewards"),
    path(B + "rewards/<int:reward_id>/<str:action>/", referrals.console_reward_decide, name="reward_decide"),
    path(B + "friend-deals/", referrals.console_friend_deal_policy, name="friend_deal_policy"),
    path(B + "reward-policy/", referrals.console_reward_policy, name="reward_policy"),
    # marketing plays (issue 6): the index, then each play app's console pages
    path(B + "campaigns/", campaigns_views.console_index, name="campaigns"),
    path(B + "analytics/", include("tribe.web.analytics_console_urls")),
    path(B + "loyalty/", include("tribe.web.loyalty_console_urls")),
    path(B + "coupons/", include("tribe.web.coupons_console_urls")),
    path(B + "groupbuy/", include("tribe.web.groupbuy_console_urls")),
    path(B + "bargain/", include("tribe.web.bargain_console_urls")),
    path(B + "flashsale/", include("tribe.web.flashsale_console_urls")),
    path(B + "lottery/", include("tribe.web.lottery_console_urls")),
    path(B + "trials/", include("tribe.web.trials_console_urls")),
    path(B + "presale/", include("tribe.web.presale_console_urls")),
    path(B + "reach/", include("tribe.web.reach_console_urls")),
]
