from django.test import RequestFactory

from tribe.core.events import record_event
from tribe.core.models import Event
from tribe.core.sharing import decode_sharer, encode_sharer
from tribe.core.sources import classify, track_visit


class FakeSession(dict):
    session_key = "sess-1"

    def is_empty(self):
        return False

    def save(self):
        pass


def _request(path="/p/1/", referer=None, host="shop.example", **extra):
    rf = RequestFactory()
    meta = {"HTTP_HOST": host, "HTTP_USER_AGENT": "Mozilla/5.0 (iPhone) Mobile"}
    if referer:
        meta["HTTP_REFERER"] = referer
    meta.update(extra)
    request = rf.get(path, **meta)
    request.session = FakeSession()
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    return request


def test_classify_direct_search_share_campaign_external():
    assert classify(_request()).source == "direct"
    assert classify(_request("/p/1/?src=search", referer="http://shop.example/search/?q=x")).source == "search"
    assert classify(_request("/p/1/", referer="http://shop.example/")).source == "site"
    code = encode_sharer(42)
    share = classify(_request(f"/p/1/?share={code}&ch=wechat"))
    assert (share.source, share.sharer_id, share.channel) == ("share", 42, "wechat")
    utm = classify(_request("/p/1/?utm_source=weibo&utm_campaign=spring"))
    assert (utm.source, utm.channel, utm.campaign) == ("campaign", "weibo", "spring")
    ext = classify(_request("/p/1/", referer="https://www.baidu.com/s?wd=x"))
    assert (ext.source, ext.channel) == ("external", "www.baidu.com")


def test_tampered_share_code_is_not_a_share():
    code = encode_sharer(42)
    tampered = "2b" + code[2:]
    assert decode_sharer(tampered) is None
    assert classify(_request(f"/p/1/?share={tampered}")).source == "direct"


def test_visit_keeps_first_touch_across_internal_clicks():
    request = _request("/p/1/?utm_source=weibo&utm_campaign=spring")
    track_visit(request)
    follow = _request("/p/2/?src=search", referer="http://shop.example/search/")
    follow.session = request.session
    visit = track_visit(follow)
    assert visit["first"]["channel"] == "weibo"
    assert follow.tribe_touch.source == "search"


def test_record_event_stamps_actor_session_source_and_first_touch(user):
    request = _request("/p/1/?utm_source=weibo&utm_medium=social&utm_campaign=spring")
    request.user = user
    track_visit(request)
    event = record_event("product_view", request, obj=user, brand_id=7, props={"k": "v"})
    stored = Event.objects.get(pk=event.pk)
    assert (stored.name, stored.actor_id, stored.session_key) == ("product_view", user.pk, "sess-1")
    assert (stored.object_type, stored.object_id, stored.brand_id) == ("user", user.pk, 7)
    assert (stored.source, stored.channel, stored.campaign) == ("campaign", "weibo", "spring")
    assert (stored.utm_source, stored.utm_medium, stored.device) == ("weibo", "social", "mobile")
    assert stored.props == {"k": "v"}


def test_record_event_never_raises(db, monkeypatch):
    def boom(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Event.objects, "create", boom)
    assert record_event("search", None, props={"query": "x"}) is None
