import Foundation
import Testing
@testable import Databricks

/// The JSON_ARRAY reader gives what a general JSON decoder gives for every row shape Databricks
/// sends, and refuses what a damaged body looks like.
@Suite struct JSONRowsParserTests {
    static func parse(_ text: String) -> [[String?]]? {
        Array(text.utf8).withUnsafeBytes(JSONRowsParser.parse)
    }

    /// What Foundation's decoder makes of the same bytes (the reference).
    static func reference(_ text: String) -> [[String?]]? {
        (try? JSONDecoder().decode([[JSONCell]].self, from: Data(text.utf8)))?.map { $0.map(\.value) }
    }

    @Test(arguments: [
        #"[]"#,
        #"[[]]"#,
        #" [ [ "a" , null ,"b"] ,[null,"",""] ] "#,
        #"[["1","2.50","1996-03-13","DELIVER IN PERSON"],["2",null,"1996-02-12","TRUCK"]]"#,
        #"[["quote \" backslash \\ slash \/ controls \b\f\n\r\t"]]"#,
        #"[["unicode é ü 漢字 😀", "escaped \u00e9 \u6f22 \ud83d\ude00", "\u0000 nul"]]"#,
        #"[["{\"a\":[1,2],\"b\":{\"c\":null}}"]]"#,
        "[[\"tab\tinside\"]]".replacingOccurrences(of: "\t", with: "\\t"),
        #"[[1, -2, 3.5, true, false, null]]"#,
        "[\n  [\"a\"],\n  [\"b\"]\n]\n",
    ])
    func readsWhatAJSONDecoderReads(_ text: String) throws {
        let expected = try #require(Self.reference(text), "the reference decoder refused \(text)")
        #expect(Self.parse(text).map { $0 } == expected, "\(text)")
    }

    @Test(arguments: [
        #"[["a"]"#,                    // cut before the end
        #"[["a"],"#,
        #"[["a]]"#,                    // a string that never closes
        #"[["a"]] x"#,                 // trailing bytes
        #"[["a" "b"]]"#,               // a missing comma
        #"[["bad \x escape"]]"#,
        #"[["lone \ud83d surrogate"]]"#,
        #"[["lone \ude00 low"]]"#,
        #"[["short \u12"]]"#,
        #"[[nul]]"#,
        #"{"a": 1}"#,
        "[[\"raw \n newline\"]]",
        "",
    ])
    func refusesWhatADamagedBodyLooksLike(_ text: String) {
        #expect(Self.parse(text) == nil, "\(text)")
    }

    @Test func refusesInvalidUTF8() {
        let bytes: [UInt8] = Array(#"[[""#.utf8) + [0xC3, 0x28] + Array(#""]]"#.utf8)
        #expect(bytes.withUnsafeBytes(JSONRowsParser.parse) == nil)
    }

    @Test func readsALargeChunkLikeTheReference() throws {
        var rows: [[String?]] = []
        for i in 0..<5_000 {
            rows.append(["\(i)", i % 7 == 0 ? nil : "value \(i) \"quoted\" é", String(Double(i) / 3), "line\nbreak"])
        }
        let data = try JSONSerialization.data(withJSONObject: rows.map { $0.map { $0 as Any? ?? NSNull() } })
        let parsed = data.withUnsafeBytes(JSONRowsParser.parse)
        #expect(parsed == rows)
    }
}
