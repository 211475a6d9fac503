import Commands
import Replication
import Testing

/// The CLI's listed values are exactly the names the library accepts.
@Suite struct CommandLineOptionsTests {
    @Test func everyListedStrategyIsAcceptedByTheConfig() {
        for option in StrategyOption.allCases { #expect(StrategyChoice(name: option.rawValue) != nil, "\(option)") }
        #expect(Set(StrategyOption.allCases.map(\.rawValue)) == Set(["auto"] + LoadStrategy.allCases.map(\.rawValue)))
    }

    @Test func everyListedVerificationIsAVerification() {
        #expect(VerifyOption.allCases.map(\.rawValue) == Verification.allCases.map(\.rawValue))
    }
}
