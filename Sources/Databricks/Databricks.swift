// Databricks client: auth, HTTP, statement execution, downloads, Unity Catalog. See issue 5.
