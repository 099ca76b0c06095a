import { expect } from "chai";
import { summarise } from "../tools/profile-summary";

describe("tools/profile-summary: top frames of a collapsed-stack profile", () => {
    it("attributes self samples to the innermost grouped frame, and total to every group on the stack", () => {
        const collapsed = [
            // a Jackson leaf under JSON_FIELDS: JSON parsing, self and total
            "java/lang/Thread.run;com/clickstream/runner/JsonFieldsFunction.eval;com/fasterxml/jackson/core/json/ReaderBasedJsonParser.nextToken 6",
            // a RocksDB get under the window operator's state access: RocksDB self; window, state and RocksDB total
            "java/lang/Thread.run;org/apache/flink/table/runtime/operators/window/tvf/common/WindowAggOperator.onEventTime;org/apache/flink/contrib/streaming/state/RocksDBMapState.get;org/rocksdb/RocksDB.get 3",
            // the runner's COUNT_DISTINCT is window aggregation, not a runner operator (the first group that matches)
            "java/lang/Thread.run;com/clickstream/runner/CountDistinctFunction$ValuesSerializer.serialize 2",
            // no group at all
            "start_thread;mystery 1",
        ].join("\n");
        const s = summarise(collapsed, 2);
        expect(s.samples).to.equal(12);
        const g = Object.fromEntries(s.groups.map((x) => [x.name.split(" (")[0], [x.self, x.total]]));
        expect(g["JSON parsing"]).to.deep.equal([6, 6]);
        expect(g["RocksDB native"]).to.deep.equal([3, 3]);
        expect(g["state access"]).to.deep.equal([0, 3]);
        expect(g["window aggregation"]).to.deep.equal([2, 5]);
        // a frame belongs to one group only (the first that matches): JsonFieldsFunction is JSON parsing, not a runner operator
        expect(g["runner operators"]).to.deep.equal([0, 0]);
        expect(g["other"]).to.deep.equal([1, 1]);
        expect(s.selfFrames).to.deep.equal([
            ["com/fasterxml/jackson/core/json/ReaderBasedJsonParser.nextToken", 6],
            ["org/rocksdb/RocksDB.get", 3],
        ]);
        expect(s.totalFrames[0]).to.deep.equal(["java/lang/Thread.run", 11]);
    });
});
