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
            Notice notice = new Notice(kind, "agency-college", "evt-1", "ref-1", Instant.now());
            for (String language : new String[] {"en", "cy"}) {
                EmailTemplates.Email email = EmailTemplates.render(notice, language, "https://p.example/referrals/ref-1");
                assertThat(email.subject()).startsWith("Pathways: ");
                assertThat(email.body()).contains("ref-1").contains("https://p.example/referrals/ref-1")
                        .doesNotContain("{");
            }
        }
    }

    @Test
    void welshIsWelshAndApostrophesSurviveTheFormat() {
        assertThat(EmailTemplates.render(overdue, "cy", "l").subject()).isEqualTo("Pathways: mae atgyfeiriad yn hwyr");
        assertThat(EmailTemplates.render(overdue, "cy", "l").body()).contains("Nid yw'r e-bost");
        assertThat(EmailTemplates.render(overdue, "en", "l").body()).contains("partnership's response time");
    }
}
