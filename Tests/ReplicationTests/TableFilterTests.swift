import Testing
@testable import Replication

/// Tables named on the command line with --config pick among the config's tables.
@Suite struct TableFilterTests {
    static func name(_ text: String) -> TableName { TableName(parsing: text)! }

    @Test func noPatternsAdmitEverything() {
        let filter = TableFilter()
        #expect(filter.admits(Self.name("a.b.c")))
        #expect(filter.mayAdmit(tablesOf: Self.name("a.*.*")))
        #expect(filter.unmatched(by: []).isEmpty)
    }

    @Test func namesAndPatternsPickTablesIgnoringCase() {
        let filter = TableFilter([Self.name("samples.tpch.ORDERS"), Self.name("main.sales.t_*")])
        #expect(filter.admits(Self.name("samples.tpch.orders")))
        #expect(filter.admits(Self.name("main.sales.t_1")))
        #expect(!filter.admits(Self.name("samples.tpch.lineitem")))
        #expect(!filter.admits(Self.name("main.sales.other")))
    }

    @Test func aSelectionNoPatternCanPickIsNotListed() {
        let filter = TableFilter([Self.name("samples.tpch.orders")])
        #expect(filter.mayAdmit(tablesOf: Self.name("samples.tpch.*")))
        #expect(filter.mayAdmit(tablesOf: Self.name("samples.*.orders")))
        #expect(!filter.mayAdmit(tablesOf: Self.name("main.sales.*")))
        #expect(!filter.mayAdmit(tablesOf: Self.name("samples.tpch.lineitem")))
        // Two patterns may overlap: the selection is listed and its tables filtered one by one.
        #expect(TableFilter([Self.name("main.s*.*")]).mayAdmit(tablesOf: Self.name("main.*a*.*")))
    }

    @Test func aPatternThatPicksNothingIsReported() {
        let filter = TableFilter([Self.name("samples.tpch.orders"), Self.name("samples.tpch.nope")])
        #expect(filter.unmatched(by: [Self.name("samples.tpch.orders")]) == [Self.name("samples.tpch.nope")])
    }
}
