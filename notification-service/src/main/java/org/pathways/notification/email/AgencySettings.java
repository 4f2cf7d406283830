package org.pathways.notification.email;

import java.time.Instant;

import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * How an agency wants its people told by e-mail: the agency's contact address (a shared mailbox, not a person's) and
 * the language of the e-mails.
 */
@Document("agency_settings")
record AgencySettings(@Id String agencyId, String notificationEmail, String language, Instant updatedAt) {
}
