import Timing
import Foundation
import NIOCore
import Testing
@testable import Databricks

/// Pure pieces: retry delays, identifier quoting, error bodies, CSV record counting.
@Suite struct ClientUnitTests {
    struct Seeded: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state
        }
    }

    @Test func fullJitterStaysUnderTheExponentialCap() {
        let policy = RetryPolicy(maxAttempts: 8, baseDelay: .milliseconds(100), maxDelay: .seconds(2))
        var generator = Seeded(state: 42)
        for attempt in 1...8 {
            let cap = min(Duration.seconds(2), .milliseconds(100) * (1 << (attempt - 1)))
            var delays: [Duration] = []
            for _ in 0..<200 {
                let delay = policy.delay(afterAttempt: attempt, retryAfter: nil, using: &generator)
                #expect(delay >= .zero && delay < cap)
                delays.append(delay)
            }
            #expect(Set(delays).count > 100)   // jittered, not a constant
        }
    }

    @Test func retryAfterIsHonouredAndCapped() {
        let policy = RetryPolicy(baseDelay: .milliseconds(10), maxDelay: .milliseconds(20), maxRetryAfter: .seconds(5))
        var generator = Seeded(state: 1)
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(2), using: &generator) >= .seconds(2))
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(120), using: &generator) == .seconds(5))
    }

    @Test func identifiers() throws {
        #expect(SQLIdentifier.quote("order`s") == "`order``s`")
        #expect(SQLIdentifier.quote("a b") == "`a b`")
        #expect(try SQLIdentifier.split("main.demo.events") == ["main", "demo", "events"])
        #expect(try SQLIdentifier.split("`my.cat`.`s``q`.t") == ["my.cat", "s`q", "t"])
        #expect(try SQLIdentifier.quoteQualified("c.`x.y`.t") == "`c`.`x.y`.`t`")
        #expect(throws: SQLIdentifierError.self) { try SQLIdentifier.split("a..b") }
        #expect(throws: SQLIdentifierError.self) { try SQLIdentifier.split("`open.b") }
    }

    @Test func errorBodies() {
        let json = WorkspaceAPI.parseErrorBody(ByteBuffer(string: #"{"error_code":"INVALID_PARAMETER_VALUE","message":"bad"}"#))
        #expect(json.0 == "INVALID_PARAMETER_VALUE" && json.1 == "bad")
        let numeric = WorkspaceAPI.parseErrorBody(ByteBuffer(string: #"{"error_code":403,"message":"Invalid access token."}"#))
        #expect(numeric.0 == "403" && numeric.1 == "Invalid access token.")
        let legacy = WorkspaceAPI.parseErrorBody(ByteBuffer(string: #"{"error":"old style"}"#))
        #expect(legacy.0 == nil && legacy.1 == "old style")
        let text = WorkspaceAPI.parseErrorBody(ByteBuffer(string: "RESOURCE_DOES_NOT_EXIST: gone"))
        #expect(text.0 == "RESOURCE_DOES_NOT_EXIST" && text.1 == "gone")
        let error = DatabricksAPIError(status: 403, errorCode: "403", message: "Invalid access token.", operation: "GET /x",
                                       host: "https://h.com", credentialHint: "Check the token from DATABRICKS_TOKEN.", attempts: 1)
        #expect(error.description == "Databricks rejected the credentials for https://h.com (HTTP 403: Invalid access token) on GET /x. Check the token from DATABRICKS_TOKEN.")
    }

    @Test func sqlFallbackDecision() {
        func error(_ status: Int, _ code: String?) -> DatabricksAPIError {
            DatabricksAPIError(status: status, errorCode: code, message: "", operation: "", host: "", credentialHint: nil, attempts: 1)
        }
        #expect(DatabricksClient.shouldFallBack(error(404, "ENDPOINT_NOT_FOUND")))
        #expect(DatabricksClient.shouldFallBack(error(501, nil)))
        #expect(DatabricksClient.shouldFallBack(error(400, "FEATURE_DISABLED")))
        #expect(!DatabricksClient.shouldFallBack(error(404, "TABLE_DOES_NOT_EXIST")))
        #expect(!DatabricksClient.shouldFallBack(error(403, nil)))
        #expect(!DatabricksClient.shouldFallBack(error(500, nil)))
    }

    @Test func statementErrorText() {
        let error = StatementError(statementID: "01ef", state: "FAILED", errorCode: "BAD_REQUEST",
                                   message: "\n[PARSE_SYNTAX_ERROR] Syntax error at or near 'SELEC'.\n", sqlState: "42601")
        #expect(error.description == "Statement 01ef failed: [BAD_REQUEST] [PARSE_SYNTAX_ERROR] Syntax error at or near 'SELEC'. (SQLSTATE 42601)")
    }

    @Test(arguments: [
        ("a,b\n1,2\n", 2), ("a,b\n1,2", 2), ("\"x\ny\",1\n2,3\n", 2), ("\"a\"\"b\",c\n", 1), ("", 0), ("a\r\nb\r\n", 2),
    ])
    func csvRecords(text: String, expected: Int64) {
        #expect(CSVRecordCounter.count(ByteBuffer(string: text)) == expected)
    }

    @Test func csvOpenQuoteIsACut() {
        #expect(CSVRecordCounter.count(ByteBuffer(string: "a,\"b\nc")) == nil)
    }

    @Test func redactedLinks() {
        #expect(RedactedURL.describe("https://bucket.s3.amazonaws.com/a/b?X-Amz-Signature=SECRET&x=1") == "https://bucket.s3.amazonaws.com/a/b")
        #expect(!"\(Secret("dapi123"))".contains("dapi123"))
    }

    @Test func linkExpirationParsing() {
        #expect(ExternalLink.parseDate("2024-11-08T15:20:17.922Z") != nil)
        #expect(ExternalLink.parseDate("2024-11-08T15:20:17Z") != nil)
        #expect(ExternalLink.parseDate("yesterday") == nil)
    }
}
