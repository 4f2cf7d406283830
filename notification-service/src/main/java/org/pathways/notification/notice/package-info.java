/** What needs a person's attention (rather than an agency system's), shared by the in-app inbox and e-mail. */
package org.pathways.notification.notice;
