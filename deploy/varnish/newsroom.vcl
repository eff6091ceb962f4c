vcl 4.1;

# Varnish in front of newsroom's web nodes: caches the public answers (API, feeds, sitemaps)
# for as long as their Cache-Control says, and drops them by cache tag when newsroom purges
# (HTTP_CACHE_PURGE_BACKEND=varnish, docs/operations.md "HTTP cache and purges").
#
# Needs the xkey vmod (Debian: varnish-modules). Start it with the backend's address:
#   varnishd -f deploy/varnish/newsroom.vcl -a :6081 \
#     -p vcc_allow_inline_c=off -n /var/lib/varnish/newsroom
# and edit `backend default` and `acl purgers` below (or pass -p/-D as your deployment does).

import std;
import xkey;

backend default {
    .host = "127.0.0.1";
    .port = "8000";
}

# Who may purge: the hosts running newsroom's Celery workers (queue "delivery").
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "No xkey-purge header"));
        }
        set req.http.n-gone = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged " + req.http.n-gone));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Only the public, anonymous surfaces are cached; the admin, the write API and previews
    # always reach Django.
    if (req.url !~ "^/(api/v1/(articles|sections|authors|tags|search)/|feeds/|sitemap|news-sitemap)") {
        return (pass);
    }
    unset req.http.Cookie;
    unset req.http.Authorization;
    return (hash);
}

sub vcl_backend_response {
    # Only answers that name their cache tags are kept: those are the ones a purge can
    # reach (errors, redirects and anything with a cookie go through uncached).
    if (!beresp.http.Surrogate-Key || beresp.http.Set-Cookie || beresp.status != 200) {
        set beresp.ttl = 0s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    # xkey reads the tags from the `xkey` header of the stored object.
    set beresp.http.xkey = beresp.http.Surrogate-Key;
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    unset resp.http.xkey;
    unset resp.http.Surrogate-Key;
    unset resp.http.Cache-Tag;
}
