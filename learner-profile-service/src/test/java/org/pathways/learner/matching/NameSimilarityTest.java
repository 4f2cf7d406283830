package org.pathways.learner.matching;

import org.pathways.learner.domain.PersonName;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NameSimilarityTest {

    private static boolean similar(String a, String b) {
        String[] x = a.split("\\|", -1);
        String[] y = b.split("\\|", -1);
        return NameSimilarity.similar(PersonName.of(x[0], x[1], x.length > 2 ? x[2] : null),
                PersonName.of(y[0], y[1], y.length > 2 ? y[2] : null));
    }

    @ParameterizedTest(name = "{0} ~ {1} ({2})")
    @CsvSource(delimiter = ';', value = {
            "Amina|Okafor; Aminah|Okafor; a typo in the given name",
            "Amina|Okafor; Amina|Okafur; a typo in the family name",
            "Katarzyna|Kowalski; Katrazyna|Kowalski; transposed letters",
            "Amina|Okafor; Okafor|Amina; given and family name swapped",
            "Zoë|Brontë; Zoe|Bronte; accents dropped",
            "José|Müller; Jose|Muller; accents on both names",
            "Łukasz|Wójcik; Lukasz|Wojcik; Polish letters NFKD does not decompose",
            "Siobhán|O'Neill; Siobhan|ONeill; an apostrophe left out",
            "Bob|Smith; Robert|Smith; a nickname",
            "Liz|Taylor; Elizabeth|Taylor; another nickname",
            "Mo|Rahman; Mohammed|Rahman; a short form",
            "Muhammad|Rahman; Mohamed|Rahman; two spellings of one name",
            "Amina|Okafor|Mina; Mina|Okafor; the preferred name on record",
            "Grace|Okafor-Adeyemi; Grace|Okafor; a double-barrelled family name",
            "  amina |OKAFOR; Amina|Okafor; case and spaces"})
    void recognisesNearMissesOfOneName(String one, String other, String why) {
        assertThat(similar(one, other)).as(why).isTrue();
        assertThat(similar(other, one)).as(why + ", either way round").isTrue();
    }

    @ParameterizedTest(name = "{0} !~ {1} ({2})")
    @CsvSource(delimiter = ';', value = {
            "Amina|Okafor; Grace|Okafor; a sibling: same family, different given name",
            "John|Smith; Jane|Smith; names one letter apart but short and different",
            "Amina|Okafor; Amina|Bello; same given name, different family",
            "Ali|Khan; Al|Khan; very short names are not typo-matched",
            "Robert|Smith; Roberta|Jones; similar given, different family",
            "Bob|Smith; Smith|Jones; a swap needs both names to agree"})
    void keepsDifferentPeopleApart(String one, String other, String why) {
        assertThat(similar(one, other)).as(why).isFalse();
    }
}
