package org.pathways.learner.config;

import java.time.LocalDate;
import java.util.List;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.convert.converter.Converter;
import org.springframework.data.convert.ReadingConverter;
import org.springframework.data.convert.WritingConverter;
import org.springframework.data.mongodb.core.convert.MongoCustomConversions;

/**
 * Stores calendar dates (a date of birth) as ISO-8601 text. The default mapping turns a {@code LocalDate} into an
 * instant at midnight in the JVM's time zone, so two instances in different zones would read a birthday a day
 * apart.
 */
@Configuration(proxyBeanMethods = false)
class MongoConfiguration {

    @Bean
    MongoCustomConversions mongoCustomConversions() {
        return new MongoCustomConversions(List.of(new LocalDateToText(), new TextToLocalDate()));
    }

    @WritingConverter
    static final class LocalDateToText implements Converter<LocalDate, String> {
        @Override
        public String convert(LocalDate date) {
            return date.toString();
        }
    }

    @ReadingConverter
    static final class TextToLocalDate implements Converter<String, LocalDate> {
        @Override
        public LocalDate convert(String text) {
            return LocalDate.parse(text);
        }
    }
}
