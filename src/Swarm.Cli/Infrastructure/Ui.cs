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
}
