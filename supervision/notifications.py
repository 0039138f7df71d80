"""The in-app "new" markers: what is new to a person on notes they may see.

"Seen" is one ShareSeen row per (person, share), written when the person opens
the page of that share (a recipient) or of their own note (its author, for all
of the note's shares). The markers are annotations, subqueries in the list's
own query, so a page's query count does not grow with its rows. They start
from the one rule for each model (docs/architecture.md, "One rule per model"):
`Share.objects.visible_to` / `received_by` and `Response.objects.visible_to`, so
nobody sees a marker for what they may not see (a former group member, a
supervisor whose link ended).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet

from supervision.models import Response, Share, ShareSeen

if TYPE_CHECKING:
    from reflections.models import Reflection
    from teams.models import User


def _unseen_since(user: User, share: str, at: str) -> Q:
    """Not seen by `user` since the outer row's `at` (no row: never seen)."""
    seen = ShareSeen.objects.of(user).filter(share=OuterRef(share), seen_at__gte=OuterRef(at))
    return ~Q(Exists(seen))


def new_responses_for(user: User) -> QuerySet[Response]:
    """Responses by others, on shares `user` sees, that they have not seen."""
    return (
        Response.objects.visible_to(user)
        .exclude(author=user)
        .filter(_unseen_since(user, "share", "created_at"))
    )


def new_responses_to_author(user: User) -> QuerySet[Response]:
    """Responses by others in the threads of `user`'s own notes that they have
    not seen: new_responses_for, narrowed to the author's part of the rule."""
    return (
        Response.objects.on_notes_by(user)
        .exclude(author=user)
        .filter(_unseen_since(user, "share", "created_at"))
    )


def new_reviews_for(user: User) -> QuerySet[Share]:
    """The author's shares reviewed since they last opened the note."""
    return (
        Share.objects.on_notes_by(user)
        .filter(reviewed_at__isnull=False)
        .filter(_unseen_since(user, "pk", "reviewed_at"))
    )


def with_news_for_author(reflections: QuerySet[Reflection], user: User) -> QuerySet[Reflection]:
    """The author's own notes (`reflections`) with a new response or a new review,
    annotated as with_author_news. The filter reads the shares of the author's
    notes once, for both kinds of news; the markers are then worked out for the
    rows returned only."""
    new_response = new_responses_to_author(user).filter(share=OuterRef("pk"))
    reviewed_unseen = Q(reviewed_at__isnull=False) & _unseen_since(user, "pk", "reviewed_at")
    with_news = Share.objects.on_notes_by(user).filter(reviewed_unseen | Q(Exists(new_response)))
    return with_author_news(reflections.filter(pk__in=with_news.values("reflection")), user)


def with_author_news(reflections: QuerySet[Reflection], user: User) -> QuerySet[Reflection]:
    """Annotate an author's own notes (`reflections` holds no one else's) with
    `has_new_response` and `newly_reviewed`."""
    return reflections.annotate(
        has_new_response=Exists(
            new_responses_to_author(user).filter(share__reflection=OuterRef("pk"))
        ),
        newly_reviewed=Exists(new_reviews_for(user).filter(reflection=OuterRef("pk"))),
    )


def with_recipient_news(shares: QuerySet[Share], user: User) -> QuerySet[Share]:
    """Annotate shares a person receives with `is_new` (never opened) and
    `has_new_response` (a response by someone else since they last opened it).

    `shares` must come from the share rule for `user` (received_by or one of its
    parts): a thread is visible exactly when its share is, so the markers read
    the share's own thread without planning the rule a second time."""
    others_unseen = (
        Response.objects.filter(share=OuterRef("pk"))
        .exclude(author=user)
        .filter(_unseen_since(user, "share", "created_at"))
    )
    return shares.annotate(
        is_new=~Exists(ShareSeen.objects.of(user).filter(share=OuterRef("pk"))),
        has_new_response=Exists(others_unseen),
    )


def mark_seen(user: User, shares: list[Share] | QuerySet[Share]) -> None:
    """Record that `user` has now seen these shares and their threads."""
    ShareSeen.objects.mark(user, [share.pk for share in shares])
