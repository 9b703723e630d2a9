namespace Swarm.Simulation.Reporting;

/// <summary>A table of formatted cells, for Markdown and for the terminal.</summary>
/// <param name="Title">What the table shows.</param>
/// <param name="Headers">Column headers.</param>
/// <param name="Rows">Rows of cells, as many as headers each.</param>
/// <param name="RightAligned">Per column: true for numbers (right-aligned in Markdown).</param>
public sealed record ReportTable(string Title, IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyList<string>> Rows, IReadOnlyList<bool> RightAligned)
{
    /// <summary>The table as Markdown (a pipe in a cell is escaped).</summary>
    public string ToMarkdown()
    {
        static string Line(IEnumerable<string> cells) => "| " + string.Join(" | ", cells.Select(c => c.Replace("|", "\\|", StringComparison.Ordinal))) + " |";
        var lines = new List<string>
        {
            Line(Headers),
            "|" + string.Concat(Headers.Select((_, i) => i < RightAligned.Count && RightAligned[i] ? " ---: |" : " --- |")),
        };
        lines.AddRange(Rows.Select(Line));
        return string.Join('\n', lines) + "\n";
    }
}
