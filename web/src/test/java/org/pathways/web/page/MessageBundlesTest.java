package org.pathways.web.page;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.text.MessageFormat;
import java.util.Locale;
import java.util.Properties;

import org.junit.jupiter.api.Test;

/** Every page speaks English and Welsh: the two bundles say the same things, and each message formats. */
class MessageBundlesTest {

    /** Every bundle of {@code spring.messages.basename}: the layout's and pages', codes', the dashboard's, the pathway's. */
    private static final String[] BASENAMES = {"messages", "codes", "dashboard", "pathway"};

    @Test
    void theWelshBundleHasEveryEnglishMessageAndNoOther() throws IOException {
        for (String basename : BASENAMES) {
            Properties english = bundle(basename + ".properties");
            Properties welsh = bundle(basename + "_cy.properties");

            assertThat(welsh.stringPropertyNames()).as(basename)
                    .containsExactlyInAnyOrderElementsOf(english.stringPropertyNames());
            english.forEach((key, value) -> assertThat(value.toString()).as(key.toString()).isNotBlank());
            welsh.forEach((key, value) -> assertThat(value.toString()).as(key.toString()).isNotBlank());
        }
    }

    @Test
    void everyMessageIsAValidMessageFormatAndKeepsItsApostrophes() throws IOException {
        for (String file : java.util.Arrays.stream(BASENAMES)
                .flatMap(basename -> java.util.stream.Stream.of(basename + ".properties", basename + "_cy.properties"))
                .toList()) {
            Properties messages = bundle(file);
            for (String key : messages.stringPropertyNames()) {
                String pattern = messages.getProperty(key);
                if (pattern.contains(",choice,")) {
                    new MessageFormat(pattern, Locale.UK).format(new Object[] {0});
                    continue;   // only one branch is shown, so its apostrophes cannot be counted against the whole
                }
                String formatted = new MessageFormat(pattern, Locale.UK).format(new Object[] {1, "x"});
                // a single ' would swallow text under MessageFormat: every apostrophe is written ''
                assertThat(formatted.chars().filter(c -> c == '\'').count())
                        .as("%s in %s", key, file)
                        .isEqualTo(pattern.split("''", -1).length - 1);
            }
        }
    }

    /** A referral's history names why it changed with a reason code: every code has words, in both languages. */
    @Test
    void everyReasonAReferralsHistoryCanGiveHasWordsInBothLanguages() throws IOException {
        for (String file : new String[] {"messages.properties", "messages_cy.properties"}) {
            Properties messages = bundle(file);
            for (var reason : org.pathways.events.referral.ReferralReason.values()) {
                assertThat(messages.getProperty("rejection." + reason.name())).as("%s in %s", reason, file)
                        .isNotBlank();
            }
        }
    }

    private static Properties bundle(String name) throws IOException {
        Properties properties = new Properties();
        try (var in = new InputStreamReader(MessageBundlesTest.class.getResourceAsStream("/" + name),
                StandardCharsets.UTF_8)) {
            properties.load(in);
        }
        return properties;
    }
}
