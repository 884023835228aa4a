// Writes golden protocol vectors with the Java Kafka client's own generated
// message classes: full request frames (size, header, body) for the requests
// ringkafka sends, and response bodies for the responses it reads, at every
// version ringkafka speaks.  The field values are mirrored in
// tests/unit/wire_protocol_test.cpp.  Run through tools/golden/generate.

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.*;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Message;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.record.internal.MemoryRecords;

public final class ProtocolVectors {
    static final int CORRELATION_ID = 7;
    static final String CLIENT_ID = "ringkafka-test";
    static final Uuid TOPIC_ID = new Uuid(0x0102030405060708L, 0x090a0b0c0d0e0f10L);
    // The "single" batch of record_batches.txt, as Produce payload.
    static byte[] records;

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args[0]);
        records = singleBatch(out.resolve("record_batches.txt"));
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out.resolve("protocol.txt")))) {
            w.println("# request API VERSION CASE frame_hex | response API VERSION CASE body_hex | headers API VERSION request_header_version response_header_version");
            w.println("# written by tools/golden/generate with kafka-clients " + org.apache.kafka.common.utils.AppInfoParser.getVersion());
            for (short v = 0; v <= 4; v++) {
                request(w, ApiKeys.API_VERSIONS, v, "default", new ApiVersionsRequestData()
                    .setClientSoftwareName("ringkafka").setClientSoftwareVersion("0.1.0"));
                response(w, ApiKeys.API_VERSIONS, v, "default", apiVersionsResponse());
            }
            for (short v = 9; v <= 12; v++) {
                request(w, ApiKeys.METADATA, v, "two_topics", new MetadataRequestData()
                    .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName("orders"),
                                       new MetadataRequestData.MetadataRequestTopic().setName("trades")))
                    .setAllowAutoTopicCreation(false));
                request(w, ApiKeys.METADATA, v, "all_topics", new MetadataRequestData()
                    .setTopics(null).setAllowAutoTopicCreation(false));
                response(w, ApiKeys.METADATA, v, "default", metadataResponse(v));
            }
            for (short v = 3; v <= 12; v++) {
                request(w, ApiKeys.PRODUCE, v, "idempotent", produceRequest(null));
                request(w, ApiKeys.PRODUCE, v, "transactional", produceRequest("txn-1"));
                response(w, ApiKeys.PRODUCE, v, "default", produceResponse(v));
            }
            for (short v = 2; v <= 5; v++) {
                request(w, ApiKeys.INIT_PRODUCER_ID, v, "idempotent", new InitProducerIdRequestData()
                    .setTransactionalId(null).setTransactionTimeoutMs(60000)
                    .setProducerId(v >= 3 ? 1234L : -1L).setProducerEpoch(v >= 3 ? (short) 5 : (short) -1));
                request(w, ApiKeys.INIT_PRODUCER_ID, v, "transactional", new InitProducerIdRequestData()
                    .setTransactionalId("txn-1").setTransactionTimeoutMs(60000));
                response(w, ApiKeys.INIT_PRODUCER_ID, v, "default", new InitProducerIdResponseData()
                    .setThrottleTimeMs(3).setErrorCode((short) 0).setProducerId(1234L).setProducerEpoch((short) 6));
            }
            for (short v = 3; v <= 5; v++) {
                FindCoordinatorRequestData req = new FindCoordinatorRequestData().setKeyType((byte) 1);
                if (v <= 3) req.setKey("txn-1"); else req.setCoordinatorKeys(List.of("txn-1"));
                request(w, ApiKeys.FIND_COORDINATOR, v, "txn", req);
                FindCoordinatorResponseData resp = new FindCoordinatorResponseData().setThrottleTimeMs(4);
                if (v <= 3) {
                    resp.setErrorCode((short) 0).setErrorMessage(null).setNodeId(2).setHost("host2").setPort(9093);
                } else {
                    resp.setCoordinators(List.of(new FindCoordinatorResponseData.Coordinator()
                        .setKey("txn-1").setNodeId(2).setHost("host2").setPort(9093)
                        .setErrorCode((short) 0).setErrorMessage(null)));
                }
                response(w, ApiKeys.FIND_COORDINATOR, v, "default", resp);
            }
            {
                short v = 3;
                AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection topics =
                    new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection();
                topics.add(new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic().setName("orders").setPartitions(List.of(0, 2)));
                topics.add(new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic().setName("trades").setPartitions(List.of(1)));
                request(w, ApiKeys.ADD_PARTITIONS_TO_TXN, v, "default", new AddPartitionsToTxnRequestData()
                    .setV3AndBelowTransactionalId("txn-1").setV3AndBelowProducerId(1234L)
                    .setV3AndBelowProducerEpoch((short) 5).setV3AndBelowTopics(topics));
                AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResultCollection results =
                    new AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResultCollection();
                AddPartitionsToTxnResponseData.AddPartitionsToTxnPartitionResultCollection orders =
                    new AddPartitionsToTxnResponseData.AddPartitionsToTxnPartitionResultCollection();
                orders.add(new AddPartitionsToTxnResponseData.AddPartitionsToTxnPartitionResult().setPartitionIndex(0).setPartitionErrorCode((short) 0));
                orders.add(new AddPartitionsToTxnResponseData.AddPartitionsToTxnPartitionResult().setPartitionIndex(2).setPartitionErrorCode((short) 0));
                AddPartitionsToTxnResponseData.AddPartitionsToTxnPartitionResultCollection trades =
                    new AddPartitionsToTxnResponseData.AddPartitionsToTxnPartitionResultCollection();
                trades.add(new AddPartitionsToTxnResponseData.AddPartitionsToTxnPartitionResult().setPartitionIndex(1).setPartitionErrorCode((short) 53));
                results.add(new AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResult().setName("orders").setResultsByPartition(orders));
                results.add(new AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResult().setName("trades").setResultsByPartition(trades));
                response(w, ApiKeys.ADD_PARTITIONS_TO_TXN, v, "default", new AddPartitionsToTxnResponseData()
                    .setThrottleTimeMs(2).setResultsByTopicV3AndBelow(results));
            }
            for (short v = 3; v <= 5; v++) {
                request(w, ApiKeys.END_TXN, v, "commit", new EndTxnRequestData().setTransactionalId("txn-1")
                    .setProducerId(1234L).setProducerEpoch((short) 5).setCommitted(true));
                response(w, ApiKeys.END_TXN, v, "default", new EndTxnResponseData().setThrottleTimeMs(1).setErrorCode((short) 48)
                    .setProducerId(1234L).setProducerEpoch((short) 6));
            }
            for (short v = 3; v <= 4; v++) {
                request(w, ApiKeys.ADD_OFFSETS_TO_TXN, v, "default", new AddOffsetsToTxnRequestData()
                    .setTransactionalId("txn-1").setProducerId(1234L).setProducerEpoch((short) 5)
                    .setGroupId("group-1"));
                response(w, ApiKeys.ADD_OFFSETS_TO_TXN, v, "default", new AddOffsetsToTxnResponseData()
                    .setThrottleTimeMs(2).setErrorCode((short) 51));
            }
            for (short v = 3; v <= 5; v++) {
                TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic orders =
                    new TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic().setName("orders").setPartitions(List.of(
                        new TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition().setPartitionIndex(0)
                            .setCommittedOffset(42L).setCommittedLeaderEpoch(3).setCommittedMetadata("m"),
                        new TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition().setPartitionIndex(2)
                            .setCommittedOffset(7L).setCommittedLeaderEpoch(-1).setCommittedMetadata(null)));
                request(w, ApiKeys.TXN_OFFSET_COMMIT, v, "default", new TxnOffsetCommitRequestData()
                    .setTransactionalId("txn-1").setGroupId("group-1").setProducerId(1234L)
                    .setProducerEpoch((short) 5).setGenerationId(9).setMemberId("member-1")
                    .setGroupInstanceId("instance-1").setTopics(List.of(orders)));
                response(w, ApiKeys.TXN_OFFSET_COMMIT, v, "default", new TxnOffsetCommitResponseData()
                    .setThrottleTimeMs(3).setTopics(List.of(
                        new TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic().setName("orders").setPartitions(List.of(
                            new TxnOffsetCommitResponseData.TxnOffsetCommitResponsePartition().setPartitionIndex(0).setErrorCode((short) 0),
                            new TxnOffsetCommitResponseData.TxnOffsetCommitResponsePartition().setPartitionIndex(2).setErrorCode((short) 22))))));
            }
            request(w, ApiKeys.DESCRIBE_TRANSACTIONS, (short) 0, "default", new DescribeTransactionsRequestData()
                .setTransactionalIds(List.of("txn-1")));
            // Two states (only the first is ours), the first with topics.
            DescribeTransactionsResponseData.TopicDataCollection topics = new DescribeTransactionsResponseData.TopicDataCollection();
            topics.add(new DescribeTransactionsResponseData.TopicData().setTopic("orders").setPartitions(List.of(0, 2)));
            List<DescribeTransactionsResponseData.TransactionState> states = new java.util.ArrayList<>();
            states.add(new DescribeTransactionsResponseData.TransactionState().setErrorCode((short) 0)
                .setTransactionalId("txn-1").setTransactionState("PrepareCommit").setTransactionTimeoutMs(60000)
                .setTransactionStartTimeMs(1700000000000L).setProducerId(1234L).setProducerEpoch((short) 6)
                .setTopics(topics));
            states.add(new DescribeTransactionsResponseData.TransactionState().setErrorCode((short) 105)
                .setTransactionalId("txn-2").setTransactionState("").setProducerId(-1L).setProducerEpoch((short) -1));
            response(w, ApiKeys.DESCRIBE_TRANSACTIONS, (short) 0, "default", new DescribeTransactionsResponseData()
                .setThrottleTimeMs(4).setTransactionStates(states));
            request(w, ApiKeys.SASL_HANDSHAKE, (short) 1, "default", new SaslHandshakeRequestData()
                .setMechanism("SCRAM-SHA-512"));
            response(w, ApiKeys.SASL_HANDSHAKE, (short) 1, "default", new SaslHandshakeResponseData()
                .setErrorCode((short) 33).setMechanisms(List.of("PLAIN", "SCRAM-SHA-256")));
            for (short v = 0; v <= 2; v++) {
                request(w, ApiKeys.SASL_AUTHENTICATE, v, "default", new SaslAuthenticateRequestData()
                    .setAuthBytes("n,,n=alice,r=abc".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
                response(w, ApiKeys.SASL_AUTHENTICATE, v, "default", new SaslAuthenticateResponseData()
                    .setErrorCode((short) 58).setErrorMessage("Authentication failed: Invalid username or password")
                    .setAuthBytes("r=abcdef,s=c2FsdA==,i=4096".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                    .setSessionLifetimeMs(3600000L));
            }
        }
    }

    static byte[] singleBatch(Path batches) throws IOException {
        for (String line : Files.readAllLines(batches)) {
            if (line.startsWith("single ")) {
                String hex = line.substring(line.lastIndexOf(' ') + 1);
                byte[] b = new byte[hex.length() / 2];
                for (int i = 0; i < b.length; i++) b[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
                return b;
            }
        }
        throw new IllegalStateException("no 'single' batch in " + batches);
    }

    static String hex(ByteBuffer buf) {
        StringBuilder s = new StringBuilder();
        ByteBuffer b = buf.duplicate();
        while (b.hasRemaining()) s.append(String.format("%02x", b.get() & 0xff));
        return s.length() == 0 ? "." : s.toString();
    }

    static ByteBuffer serialize(Message m, short version) {
        ObjectSerializationCache cache = new ObjectSerializationCache();
        int size = m.size(cache, version);
        ByteBuffer buf = ByteBuffer.allocate(size);
        m.write(new ByteBufferAccessor(buf), cache, version);
        buf.flip();
        return buf;
    }

    static void request(PrintWriter w, ApiKeys api, short version, String name, ApiMessage body) {
        short headerVersion = api.requestHeaderVersion(version);
        RequestHeaderData header = new RequestHeaderData().setRequestApiKey(api.id).setRequestApiVersion(version)
            .setCorrelationId(CORRELATION_ID).setClientId(CLIENT_ID);
        ByteBuffer h = serialize(header, headerVersion);
        ByteBuffer b = serialize(body, version);
        ByteBuffer frame = ByteBuffer.allocate(4 + h.remaining() + b.remaining());
        frame.putInt(h.remaining() + b.remaining()).put(h).put(b).flip();
        w.printf("request %d %d %s %s%n", api.id, version, name, hex(frame));
        w.printf("headers %d %d %d %d%n", api.id, version, headerVersion, api.responseHeaderVersion(version));
    }

    static void response(PrintWriter w, ApiKeys api, short version, String name, ApiMessage body) {
        w.printf("response %d %d %s %s%n", api.id, version, name, hex(serialize(body, version)));
    }

    static ApiVersionsResponseData apiVersionsResponse() {
        ApiVersionsResponseData.ApiVersionCollection keys = new ApiVersionsResponseData.ApiVersionCollection();
        keys.add(new ApiVersionsResponseData.ApiVersion().setApiKey((short) 0).setMinVersion((short) 0).setMaxVersion((short) 12));
        keys.add(new ApiVersionsResponseData.ApiVersion().setApiKey((short) 3).setMinVersion((short) 0).setMaxVersion((short) 13));
        keys.add(new ApiVersionsResponseData.ApiVersion().setApiKey((short) 18).setMinVersion((short) 0).setMaxVersion((short) 4));
        keys.add(new ApiVersionsResponseData.ApiVersion().setApiKey((short) 22).setMinVersion((short) 0).setMaxVersion((short) 4));
        ApiVersionsResponseData.SupportedFeatureKeyCollection features = new ApiVersionsResponseData.SupportedFeatureKeyCollection();
        features.add(new ApiVersionsResponseData.SupportedFeatureKey().setName("transaction.version").setMinVersion((short) 0).setMaxVersion((short) 2));
        ApiVersionsResponseData.FinalizedFeatureKeyCollection finalized = new ApiVersionsResponseData.FinalizedFeatureKeyCollection();
        finalized.add(new ApiVersionsResponseData.FinalizedFeatureKey().setName("transaction.version").setMinVersionLevel((short) 2).setMaxVersionLevel((short) 2));
        return new ApiVersionsResponseData().setErrorCode((short) 0).setApiKeys(keys).setThrottleTimeMs(5)
            .setSupportedFeatures(features).setFinalizedFeaturesEpoch(42L).setFinalizedFeatures(finalized);
    }

    static MetadataResponseData metadataResponse(short version) {
        MetadataResponseData.MetadataResponseBrokerCollection brokers = new MetadataResponseData.MetadataResponseBrokerCollection();
        brokers.add(new MetadataResponseData.MetadataResponseBroker().setNodeId(1).setHost("127.0.0.1").setPort(9092).setRack(null));
        brokers.add(new MetadataResponseData.MetadataResponseBroker().setNodeId(2).setHost("host2").setPort(9093).setRack("rack-a"));
        MetadataResponseData.MetadataResponseTopicCollection topics = new MetadataResponseData.MetadataResponseTopicCollection();
        topics.add(new MetadataResponseData.MetadataResponseTopic().setErrorCode((short) 0).setName("orders")
            .setTopicId(TOPIC_ID).setIsInternal(false)
            .setPartitions(List.of(
                new MetadataResponseData.MetadataResponsePartition().setErrorCode((short) 0).setPartitionIndex(0)
                    .setLeaderId(1).setLeaderEpoch(7).setReplicaNodes(List.of(1, 2)).setIsrNodes(List.of(1, 2)).setOfflineReplicas(List.of()),
                new MetadataResponseData.MetadataResponsePartition().setErrorCode((short) 0).setPartitionIndex(1)
                    .setLeaderId(2).setLeaderEpoch(3).setReplicaNodes(List.of(2, 1)).setIsrNodes(List.of(2)).setOfflineReplicas(List.of(1)))));
        topics.add(new MetadataResponseData.MetadataResponseTopic().setErrorCode((short) 3).setName("missing")
            .setIsInternal(false).setPartitions(List.of()));
        return new MetadataResponseData().setThrottleTimeMs(1).setBrokers(brokers).setClusterId("cluster-xyz")
            .setControllerId(2).setTopics(topics);
    }

    static ProduceRequestData produceRequest(String transactionalId) {
        ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
        topics.add(new ProduceRequestData.TopicProduceData().setName("orders").setPartitionData(List.of(
            new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(MemoryRecords.readableRecords(ByteBuffer.wrap(records))),
            new ProduceRequestData.PartitionProduceData().setIndex(2).setRecords(MemoryRecords.readableRecords(ByteBuffer.wrap(records))))));
        return new ProduceRequestData().setTransactionalId(transactionalId).setAcks((short) -1).setTimeoutMs(30000)
            .setTopicData(topics);
    }

    static ProduceResponseData produceResponse(short version) {
        ProduceResponseData.PartitionProduceResponse ok = new ProduceResponseData.PartitionProduceResponse()
            .setIndex(0).setErrorCode((short) 0).setBaseOffset(100).setLogAppendTimeMs(-1).setLogStartOffset(0);
        ProduceResponseData.PartitionProduceResponse moved = new ProduceResponseData.PartitionProduceResponse()
            .setIndex(2).setErrorCode((short) 6).setBaseOffset(-1).setLogAppendTimeMs(-1).setLogStartOffset(-1)
            .setRecordErrors(List.of(new ProduceResponseData.BatchIndexAndErrorMessage().setBatchIndex(3).setBatchIndexErrorMessage("bad record")))
            .setErrorMessage("not leader");
        if (version >= 10) moved.setCurrentLeader(new ProduceResponseData.LeaderIdAndEpoch().setLeaderId(2).setLeaderEpoch(9));
        ProduceResponseData.TopicProduceResponseCollection responses = new ProduceResponseData.TopicProduceResponseCollection();
        responses.add(new ProduceResponseData.TopicProduceResponse().setName("orders").setPartitionResponses(List.of(ok, moved)));
        ProduceResponseData r = new ProduceResponseData().setResponses(responses).setThrottleTimeMs(0);
        if (version >= 10) {
            ProduceResponseData.NodeEndpointCollection eps = new ProduceResponseData.NodeEndpointCollection();
            eps.add(new ProduceResponseData.NodeEndpoint().setNodeId(2).setHost("host2").setPort(9093).setRack("rack-a"));
            r.setNodeEndpoints(eps);
        }
        return r;
    }
}
