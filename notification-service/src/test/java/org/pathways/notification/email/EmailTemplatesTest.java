package org.pathways.notification.email;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.pathways.notification.notice.Notice;
import org.pathways.notification.notice.NoticeKind;

class EmailTemplatesTest {

    private final Notice overdue = new Notice(NoticeKind.REFERRAL_OVERDUE, "agency-college", "evt-1", "ref-1",
            Instant.now());

    @Test
    void everyKindHasAnEnglishAndAWelshTemplateFilledWithIdsAndTheLink() {
        for (NoticeKind kind : NoticeKind.values()) {
            Notice notice = new Notice(kind, "agency-college", "evt-1", "ref-1", Instant.now(), "lrn-1");
            for (String language : new String[] {"en", "cy"}) {
                EmailTemplates.Email email = EmailTemplates.render(notice, language, "https://p.example/somewhere");
                assertThat(email.subject()).startsWith("Pathways: ");
                assertThat(email.body()).contains("https://p.example/somewhere").contains("agency-college")
                        .doesNotContain("{").doesNotContain("lrn-1");
                if (!kind.aboutTheTeam() || kind == NoticeKind.PLAN_REFERRAL_CHANGED) {
                    assertThat(email.body()).contains("ref-1");
                }
            }
        }
    }

    @Test
    void welshIsWelshAndApostrophesSurviveTheFormat() {
        assertThat(EmailTemplates.render(overdue, "cy", "l").subject()).isEqualTo("Pathways: mae atgyfeiriad yn hwyr");
        assertThat(EmailTemplates.render(overdue, "cy", "l").body()).contains("Nid yw'r e-bost");
        assertThat(EmailTemplates.render(overdue, "en", "l").body()).contains("partnership's response time");
        Notice lead = new Notice(NoticeKind.LEAD_CHANGED, "agency-college", "evt-1", null, Instant.now(), "lrn-1");
        assertThat(EmailTemplates.render(lead, "cy", "l").subject())
                .isEqualTo("Pathways: mae gweithiwr arweiniol dysgwr wedi newid");
        assertThat(EmailTemplates.render(lead, "en", "l").subject())
                .isEqualTo("Pathways: a learner's lead worker has changed");
    }
}
