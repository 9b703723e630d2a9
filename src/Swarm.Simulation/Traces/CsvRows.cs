using System.Globalization;

namespace Swarm.Simulation.Traces;

/// <summary>Minimal CSV reading for the shared traces (no quoted commas in them): rows by header name, with errors that name the file, line and column.</summary>
internal sealed class CsvRows(string source, string[] header)
{
    private readonly Dictionary<string, int> _index = header.Select((h, i) => (h.Trim(), i)).ToDictionary(x => x.Item1, x => x.i, StringComparer.Ordinal);

    public static IEnumerable<(CsvRows Csv, string[] Cells, int Line)> Read(string path, params string[] required)
    {
        using var reader = new StreamReader(path);
        var first = reader.ReadLine() ?? throw new TraceFormatException($"{path}: the file is empty");
        var csv = new CsvRows(path, first.Split(','));
        foreach (var r in required.Where(r => !csv._index.ContainsKey(r)))
        {
            throw new TraceFormatException($"{path}: the header has no column '{r}' (it has: {first})");
        }

        var line = 1;
        while (reader.ReadLine() is { } text)
        {
            line++;
            if (text.Length > 0)
            {
                yield return (csv, text.Split(','), line);
            }
        }
    }

    public string Text(string[] cells, int line, string column)
    {
        var i = _index[column];
        return i < cells.Length ? cells[i] : throw new TraceFormatException($"{source}: line {line}: no value for '{column}' ({cells.Length} cells)");
    }

    public double Number(string[] cells, int line, string column)
    {
        var t = Text(cells, line, column);
        return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)
            ? v
            : throw new TraceFormatException($"{source}: line {line}: '{column}' is '{t}', not a number");
    }
}
