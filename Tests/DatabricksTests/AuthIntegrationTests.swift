import Timing
import DBDuckTesting
import Foundation
import InMemoryLogging
import Logging
import Testing
@testable import Databricks

/// TLS, PAT and OAuth M2M against the emulator; rejected credentials; secrets kept out of logs
/// and errors.
@Suite(.serialized) struct AuthIntegrationTests {
    @Test func tlsWithCAFileAndPAT() async throws {
        try await withEmulatorClient(tls: true, arguments: chunkArguments) { client, emulator in
            #expect(emulator.host.hasPrefix("https://"))
            #expect(emulator.caFile != nil)
            let (_, chunks) = try await client.snapshot(.arrow(lineitemQuery))
            #expect(chunks.reduce(0) { $0 + $1.rowCount } == lineitemRows)
        }
    }

    @Test func tlsWithoutTheCAIsRejectedClearly() async throws {
        try await EmulatorProcess.withRunning(seedScale: 0.01, tls: true) { emulator in
            var workspace = emulator.workspace()
            workspace.caFile = nil
            var options = TestOptions.fast()
            options.connectTimeout = .seconds(1)
            let client = try DatabricksClient(workspace: workspace, options: options)
            let error = await #expect(throws: TransportError.self) {
                _ = try await client.execute(StatementRequest("SELECT 1"))
            }
            #expect(error?.attempts == 1)   // certificate failures are not retried
            #expect(error?.reason == "TLS handshake failed: the server's certificate is not trusted (pass its CA with --ca-file)")
            try await client.shutdown()
        }
    }

    @Test func oauthM2MOverTLS() async throws {
        let recorder = EventRecorder()
        try await withEmulatorClient(tls: true, oauth: true, observer: recorder) { client, _ in
            #expect(client.workspace.authKind == "oauth-m2m")
            for _ in 0..<3 {
                let (_, chunks) = try await client.snapshot(StatementRequest("SELECT 2 AS two"))
                #expect(chunks.flatMap(\.rows) == [["2"]])
            }
        }
        // Discovery once, one token for all statements (cached).
        let requests = recorder.details(.request)
        #expect(requests.filter { $0.contains("/oidc/v1/token") }.count == 1)
        #expect(requests.filter { $0.contains("oauth-authorization-server") }.count == 1)
    }

    @Test func oauthTokenIsRefreshedBeforeItExpires() async throws {
        let recorder = EventRecorder()
        // Tokens live 41 s; with the 40 s early-expiry margin they are stale after 1 s.
        try await withEmulatorClient(arguments: ["--oauth-ttl", "41"], oauth: true, observer: recorder) { client, _ in
            _ = try await client.snapshot(StatementRequest("SELECT 1"))
            try await Task.sleep(for: .milliseconds(1300))
            _ = try await client.snapshot(StatementRequest("SELECT 1"))
        }
        // At least one refresh (more if the first statement itself outlived the 1 s token).
        #expect(recorder.details(.request).filter { $0.contains("/oidc/v1/token") }.count >= 2)
    }

    @Test func rejectedTokenNamesWhereToFixIt() async throws {
        try await EmulatorProcess.withRunning(seedScale: 0.01) { emulator in
            let workspace = Workspace(host: emulator.host, credentials: .personalAccessToken(Secret("dapi-wrong-token")),
                                      warehouseID: emulator.warehouseID, credentialSource: "DATABRICKS_TOKEN")
            let client = try DatabricksClient(workspace: workspace, options: TestOptions.fast())
            let error = await #expect(throws: DatabricksAPIError.self) {
                _ = try await client.execute(StatementRequest("SELECT 1"))
            }
            #expect(error?.isAuthenticationFailure == true)
            let text = error?.description ?? ""
            #expect(text.hasPrefix("Databricks rejected the credentials for \(emulator.host) (HTTP 40"))
            #expect(text.hasSuffix("Check the token from DATABRICKS_TOKEN."))
            #expect(!text.contains("dapi-wrong-token"))
            try await client.shutdown()
        }
    }

    @Test func rejectedClientSecret() async throws {
        try await EmulatorProcess.withRunning(seedScale: 0.01) { emulator in
            let client = try DatabricksClient(workspace: emulator.oauthWorkspace(clientSecret: "dose-wrong-secret"),
                                              options: TestOptions.fast())
            let error = await #expect(throws: DatabricksAPIError.self) {
                _ = try await client.execute(StatementRequest("SELECT 1"))
            }
            #expect(error?.isAuthenticationFailure == true)
            #expect(error?.description.contains("Check the client id and secret from emulator.") == true)
            #expect(error?.description.contains("dose-wrong-secret") == false)
            try await client.shutdown()
        }
    }

    /// A failing run with debug logging: no token, client secret or link signature appears in log
    /// entries (messages or metadata), error texts or observer events.
    @Test func secretsNeverAppearInLogsOrErrors() async throws {
        let logs = InMemoryLogHandler()
        var logger = Logger(label: "test") { _ in logs }
        logger.logLevel = .trace
        let recorder = EventRecorder()
        var texts: [String] = []
        var planted: [String] = []
        try await withEmulatorClient(faults: "expire_early,count=2;503,target=storage,count=2,retry_after=0;link_headers",
                                     arguments: chunkArguments, options: TestOptions.fast(attempts: 4), oauth: true,
                                     observer: recorder, logger: logger) { client, emulator in
            planted = [emulator.token, emulator.clientSecret ?? "<none>"]
            let result = try await client.execute(.arrow(lineitemQuery))
            for try await _ in client.chunks(of: result) {}
            let links = result.initial?.external_links ?? []
            #expect(!links.isEmpty)
            for link in links {
                let signature = URLComponents(string: link.external_link)?.queryItems?
                    .first { $0.name == "X-Amz-Signature" }?.value
                planted.append(try #require(signature))
                planted.append(contentsOf: (link.http_headers ?? [:]).values)
            }
            // Now make it fail: storage refuses everything.
            try await emulator.setFaults("503,target=storage,retry_after=0")
            let failing = try await client.execute(.arrow(lineitemQuery))
            do {
                for try await _ in client.chunks(of: failing) {}
                Issue.record("expected a failure")
            } catch {
                texts.append("\(error)")
                texts.append(String(reflecting: error))
            }
            texts.append("\(client.workspace)")
            // A rejected PAT error, too.
            let bad = try DatabricksClient(workspace: Workspace(host: emulator.host,
                                                                credentials: .personalAccessToken(Secret(emulator.token + "x")),
                                                                warehouseID: emulator.warehouseID),
                                           options: TestOptions.fast(), logger: logger)
            do { _ = try await bad.execute(StatementRequest("SELECT 1")) } catch { texts.append("\(error)") }
            try await bad.shutdown()
        }
        #expect(planted.count >= 4)
        #expect(!logs.entries.isEmpty)
        for entry in logs.entries {
            texts.append(entry.message.description)
            texts.append(entry.metadata.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        }
        texts.append(contentsOf: recorder.events.withLock { $0.compactMap(\.detail) })
        for secret in planted where secret.count >= 8 {
            for text in texts {
                #expect(!text.contains(secret), "a secret leaked into: \(text.prefix(200))")
            }
        }
        #expect(texts.contains { $0.contains("HTTP 503 from storage") })
    }
}
