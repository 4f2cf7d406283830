package org.pathways.catalogue.search;

import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.StopFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.miscellaneous.PerFieldAnalyzerWrapper;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;

/**
 * How catalogue text is analysed, the same way when indexed and when queried.
 *
 * <p>English (every text field): Lucene's {@link EnglishAnalyzer} chain (standard tokenizer, possessives, lower case,
 * English stop words, Porter stemming, so "cook", "cooks" and "cooking" are one term) with ASCII folding added, so
 * "café" finds "cafe".
 *
 * <p>Welsh (the {@code *_cy} fields, filled for opportunities taught in Welsh): Lucene has no Welsh stemmer, so a
 * light, documented approach: lower case, ASCII folding (ŵ → w, ŷ → y, â → a), a short list of Welsh function words
 * dropped, and {@link WelshMutationFilter}, which adds the radical (dictionary) forms a mutated word could come from
 * at the same position ("gymraeg" → also "cymraeg", "ddechreuwyr" → also "dechreuwyr"). Queries go through the same
 * chain, so a mutated or a radical query word finds both forms. Plural and verb endings are not stemmed; typo
 * tolerance (fuzzy terms) covers near spellings.
 */
final class CatalogueAnalyzers {

    static final String WELSH_SUFFIX = "_cy";

    private static final CharArraySet WELSH_STOP_WORDS = new CharArraySet(Set.of("a", "ac", "ag", "am", "ar", "at",
            "y", "yr", "i", "o", "yn", "yng", "ym", "mae", "gyda", "ei", "eu", "ein", "eich", "fy", "dy", "neu",
            "ond", "hefyd", "sy", "sydd", "wedi", "i'r", "o'r", "a'r", "y'r", "gan", "dros", "heb", "hyd"), false);

    private CatalogueAnalyzers() {
    }

    static Analyzer english() {
        return new Analyzer() {
            @Override
            protected TokenStreamComponents createComponents(String fieldName) {
                Tokenizer source = new StandardTokenizer();
                TokenStream result = new EnglishPossessiveFilter(source);
                result = new LowerCaseFilter(result);
                result = new ASCIIFoldingFilter(result);
                result = new StopFilter(result, EnglishAnalyzer.ENGLISH_STOP_WORDS_SET);
                result = new PorterStemFilter(result);
                return new TokenStreamComponents(source, result);
            }
        };
    }

    /** Lower case and folding only: the words as written, for near spellings. */
    static Analyzer plain() {
        return new Analyzer() {
            @Override
            protected TokenStreamComponents createComponents(String fieldName) {
                Tokenizer source = new StandardTokenizer();
                return new TokenStreamComponents(source, new ASCIIFoldingFilter(new LowerCaseFilter(source)));
            }
        };
    }

    static Analyzer welsh() {
        return new Analyzer() {
            @Override
            protected TokenStreamComponents createComponents(String fieldName) {
                Tokenizer source = new StandardTokenizer();
                TokenStream result = new LowerCaseFilter(source);
                result = new ASCIIFoldingFilter(result);
                result = new StopFilter(result, WELSH_STOP_WORDS);
                result = new WelshMutationFilter(result);
                return new TokenStreamComponents(source, result);
            }
        };
    }

    /** English by default; the Welsh fields in Welsh. */
    static Analyzer perField(Analyzer english, Analyzer welsh, Set<String> textFields, Map<String, Analyzer> others) {
        Map<String, Analyzer> welshFields = new java.util.HashMap<>(others);
        textFields.forEach(field -> welshFields.put(field + WELSH_SUFFIX, welsh));
        return new PerFieldAnalyzerWrapper(english, welshFields);
    }

    /** The terms {@code analyzer} makes of {@code text}, in order, without repeats. */
    static Set<String> terms(Analyzer analyzer, String field, String text) {
        Set<String> terms = new LinkedHashSet<>();
        try (TokenStream stream = analyzer.tokenStream(field, text)) {
            CharTermAttribute term = stream.addAttribute(CharTermAttribute.class);
            stream.reset();
            while (stream.incrementToken()) {
                terms.add(term.toString());
            }
            stream.end();
        } catch (IOException e) {
            throw new IllegalStateException("Analysing in memory cannot fail", e);
        }
        return terms;
    }
}
