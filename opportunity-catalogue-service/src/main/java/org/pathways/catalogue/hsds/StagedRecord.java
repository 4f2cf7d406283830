package org.pathways.catalogue.hsds;

import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.index.CompoundIndex;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * One organization or service of a job's feed, as {@link HsdsFeed} nested it, kept (as JSON text: HSDS field names
 * are not checked for what MongoDB allows in keys) until the job has imported it. Organizations come first in
 * {@code seq}, so a service's organization is in the catalogue before the service is read.
 */
@Document("hsdsImportRecords")
@CompoundIndex(name = "job_seq", def = "{'jobId': 1, 'seq': 1}", unique = true)
record StagedRecord(@Id String id, String jobId, int seq, Table table, String json) {

    enum Table { ORGANIZATION, SERVICE }
}
