using Spectre.Console;

namespace Swarm.Cli.Infrastructure;

/// <summary>Terminal output: rich when stdout is a terminal, plain lines otherwise (CI logs).</summary>
internal static class Ui
{
    /// <summary>True when stdout is an interactive terminal.</summary>
    public static bool Rich => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    public static void Error(string message) => Console.Error.WriteLine("error: " + message);

    public static void Info(string message)
    {
        if (Rich)
        {
            AnsiConsole.MarkupLine("[grey]" + Markup.Escape(message) + "[/]");
        }
        else
        {
            Console.WriteLine(message);
        }
    }

    /// <summary>Writes a table (Spectre when rich, aligned text otherwise).</summary>
    public static void Table(string title, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var data = rows.ToList();
        if (Rich)
        {
            var t = new Table { Title = new TableTitle(Markup.Escape(title)) };
            t.Border(TableBorder.Rounded);
            foreach (var h in headers)
            {
                t.AddColumn(Markup.Escape(h));
            }

            foreach (var r in data)
            {
                t.AddRow(r.Select(Markup.Escape).ToArray());
            }

            AnsiConsole.Write(t);
            return;
        }

        Console.WriteLine(title);
        var widths = headers.Select((h, i) => Math.Max(h.Length, data.Count == 0 ? 0 : data.Max(r => r[i].Length))).ToArray();
        Console.WriteLine(string.Join("  ", headers.Select((h, i) => h.PadRight(widths[i]))).TrimEnd());
        Console.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var r in data)
        {
            Console.WriteLine(string.Join("  ", r.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        }
    }

    /// <summary>Writes label/value lines (a Spectre grid when rich, aligned text otherwise).</summary>
    public static void Fields(IEnumerable<(string Label, string Value)> fields)
    {
        var data = fields.ToList();
        if (Rich)
        {
            var g = new Grid();
            g.AddColumn(new GridColumn().NoWrap());
            g.AddColumn();
            foreach (var (label, value) in data)
            {
                g.AddRow(new Markup("[grey]" + Markup.Escape(label) + "[/]"), new Text(value));
            }

            AnsiConsole.Write(g);
            return;
        }

        var width = data.Count == 0 ? 0 : data.Max(f => f.Label.Length);
        foreach (var (label, value) in data)
        {
            Console.WriteLine((label.PadRight(width) + "  " + value).TrimEnd());
        }
    }

    /// <summary>
    /// Shows how <paramref name="parts"/> add up: a Spectre breakdown chart plus one bar per part when rich,
    /// else a table of value and share.
    /// </summary>
    public static void Breakdown(string title, IReadOnlyList<(string Label, double Value)> parts, Func<double, string> format)
    {
        ArgumentNullException.ThrowIfNull(parts);
        ArgumentNullException.ThrowIfNull(format);
        var total = parts.Sum(p => Math.Max(0, p.Value));
        if (Rich && total > 0)
        {
            AnsiConsole.MarkupLine("[bold]" + Markup.Escape(title) + "[/]");
            Color[] palette = [Color.Green, Color.Blue, Color.Yellow, Color.Aqua, Color.Fuchsia, Color.Orange1, Color.Red];
            var chart = new BreakdownChart().Width(Math.Min(80, Math.Max(20, AnsiConsole.Profile.Width - 2))).UseValueFormatter(v => format(v));
            var bars = new BarChart().Width(Math.Min(80, Math.Max(20, AnsiConsole.Profile.Width - 2))).UseValueFormatter(v => format(v));
            for (var i = 0; i < parts.Count; i++)
            {
                var (label, value) = parts[i];
                chart.AddItem(label, Math.Max(0, value), palette[i % palette.Length]);
                bars.AddItem(label, Math.Max(0, value), palette[i % palette.Length]);
            }

            AnsiConsole.Write(chart);
            AnsiConsole.Write(bars);
            return;
        }

        Table(title, ["term", "value", "share"], parts.Select(p => (IReadOnlyList<string>)[
            p.Label, format(p.Value), total > 0 ? (p.Value / total * 100).ToString("0", System.Globalization.CultureInfo.InvariantCulture) + "%" : "-"]));
    }
}
