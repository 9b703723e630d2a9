using System.Globalization;
using System.Text;

namespace Swarm.Simulation.Traces;

/// <summary>
/// Minimal CSV reading for the shared traces: rows by header name, with errors that name the file, line and column.
/// <see cref="Read"/> splits on every comma (the shared files have no quoted cells); <see cref="ReadQuoted"/> also accepts
/// RFC 4180 quoted cells (<c>"a, b"</c>, <c>""</c> for a quote) on one line.
/// </summary>
internal sealed class CsvRows(string source, string[] header)
{
    private readonly Dictionary<string, int> _index = header.Select((h, i) => (h.Trim(), i)).ToDictionary(x => x.Item1, x => x.i, StringComparer.Ordinal);

    /// <summary>Parses a cell; false when the text is not a valid value.</summary>
    public delegate bool TryParser<T>(string text, out T value);

    /// <summary>The file the rows come from.</summary>
    public string Source => source;

    public static IEnumerable<(CsvRows Csv, string[] Cells, int Line)> Read(string path, params string[] required) =>
        ReadWith(path, static (_, _, text) => text.Split(','), required);

    /// <summary>Like <see cref="Read"/>, but a cell may be quoted (a quoted cell may hold commas and doubled quotes).</summary>
    public static IEnumerable<(CsvRows Csv, string[] Cells, int Line)> ReadQuoted(string path, params string[] required) =>
        ReadWith(path, SplitQuoted, required);

    /// <summary>The trimmed column names of the file's first line (quoted names allowed).</summary>
    public static IReadOnlyList<string> ReadHeader(string path)
    {
        using var reader = new StreamReader(path);
        var first = reader.ReadLine() ?? throw new TraceFormatException($"{path}: the file is empty");
        return [.. SplitQuoted(path, 1, first).Select(h => h.Trim())];
    }

    /// <summary>True when the header has <paramref name="column"/>.</summary>
    public bool Has(string column) => _index.ContainsKey(column);

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

    /// <summary>A finite number that is zero or more.</summary>
    public double NonNegative(string[] cells, int line, string column)
    {
        var v = Number(cells, line, column);
        return v >= 0 ? v : throw new TraceFormatException($"{source}: line {line}: '{column}' is '{Text(cells, line, column)}', expected a number >= 0");
    }

    /// <summary>A number, or null when the cell is empty.</summary>
    public double? OptionalNumber(string[] cells, int line, string column) =>
        Text(cells, line, column).Trim().Length == 0 ? null : Number(cells, line, column);

    /// <summary>A whole number (optionally signed).</summary>
    public long Integer(string[] cells, int line, string column)
    {
        var t = Text(cells, line, column);
        return long.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new TraceFormatException($"{source}: line {line}: '{column}' is '{t}', not a whole number");
    }

    /// <summary>A cell parsed by <paramref name="parse"/>; the error says the cell is not <paramref name="what"/>.</summary>
    public T Parse<T>(string[] cells, int line, string column, TryParser<T> parse, string what)
    {
        var t = Text(cells, line, column);
        return parse(t, out var v) ? v : throw new TraceFormatException($"{source}: line {line}: '{column}' is '{t}', not {what}");
    }

    /// <summary>Parses an ISO 8601 date, yyyy-MM-dd.</summary>
    public static bool TryParseIsoDate(string text, out DateOnly value) =>
        DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out value);

    /// <summary>Parses an ISO 8601 time; a time without an offset is taken as UTC. The result is in UTC.</summary>
    public static bool TryParseIsoTime(string text, out DateTimeOffset value)
    {
        string[] formats = ["yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd HH:mmK"];
        if (DateTimeOffset.TryParseExact(text.Trim(), formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var v))
        {
            value = v.ToUniversalTime();
            return true;
        }

        value = default;
        return false;
    }

    private static IEnumerable<(CsvRows Csv, string[] Cells, int Line)> ReadWith(string path, Func<string, int, string, string[]> split, string[] required)
    {
        using var reader = new StreamReader(path);
        var first = reader.ReadLine() ?? throw new TraceFormatException($"{path}: the file is empty");
        var csv = new CsvRows(path, split(path, 1, first));
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
                yield return (csv, split(path, line, text), line);
            }
        }
    }

    private static string[] SplitQuoted(string path, int line, string text)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        var i = 0;
        while (true)
        {
            cell.Clear();
            if (i < text.Length && text[i] == '"')
            {
                var open = i;
                i++;
                while (true)
                {
                    if (i >= text.Length)
                    {
                        throw new TraceFormatException($"{path}: line {line}: column {cells.Count + 1}: the quote opened at character {open + 1} is not closed");
                    }

                    if (text[i] == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"')
                        {
                            cell.Append('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    cell.Append(text[i++]);
                }

                if (i < text.Length && text[i] != ',')
                {
                    throw new TraceFormatException($"{path}: line {line}: column {cells.Count + 1}: text after the closing quote at character {i + 1}");
                }
            }
            else
            {
                var end = text.IndexOf(',', i);
                end = end < 0 ? text.Length : end;
                cell.Append(text, i, end - i);
                i = end;
            }

            cells.Add(cell.ToString());
            if (i >= text.Length)
            {
                return [.. cells];
            }

            i++; // the comma
        }
    }
}
