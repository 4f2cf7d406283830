package org.pathways.learner.domain;

import java.util.Locale;

/** E-mail addresses and phone numbers in the one form two records can be compared in. */
public final class ContactKeys {

    private ContactKeys() {
    }

    /** Trimmed and lower-cased: mail providers treat addresses case-insensitively in practice. */
    public static String email(String email) {
        return email == null || email.isBlank() ? null : email.strip().toLowerCase(Locale.ROOT);
    }

    /** Digits only, a UK international prefix written as the national 0: "+44 7700 900123" is "07700900123". */
    public static String phone(String phone) {
        if (phone == null) {
            return null;
        }
        String digits = phone.replaceAll("[^0-9]", "");
        if (phone.strip().startsWith("+44") || digits.startsWith("0044")) {
            digits = "0" + digits.substring(digits.startsWith("0044") ? 4 : 2);
        }
        return digits.isEmpty() ? null : digits;
    }
}
