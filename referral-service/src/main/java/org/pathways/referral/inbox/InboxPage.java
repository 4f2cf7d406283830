package org.pathways.referral.inbox;

import java.util.List;

/** A page of an inbox, newest first; {@code next} is the opaque cursor of the following page, null at the end. */
public record InboxPage(List<InboxItem> items, String next) {
}
