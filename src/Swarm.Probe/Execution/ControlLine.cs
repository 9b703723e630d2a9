using System.Globalization;

namespace Swarm.Probe.Execution;

/// <summary>
/// A line an exec task prints on standard output to talk to the probe:
/// <c>##swarm progress &lt;fraction&gt; [message]</c> or <c>##swarm checkpoint [fraction] [message]</c>.
/// Words are separated by spaces or tabs; the fraction is an invariant-culture number in [0, 1]; the message is
/// the rest of the line, trimmed (at most <see cref="MaxMessageChars"/> characters are kept).
/// </summary>
/// <param name="Kind">What the line asks for.</param>
/// <param name="Fraction">Progress in [0, 1]; null when a checkpoint line gave none.</param>
/// <param name="Message">Free text; empty when none.</param>
public readonly record struct ControlLine(ControlLineKind Kind, double? Fraction, string Message)
{
    /// <summary>The marker every control line starts with.</summary>
    public const string Prefix = "##swarm";

    /// <summary>Longest message kept, characters; longer ones are cut.</summary>
    public const int MaxMessageChars = 1024;

    /// <summary>
    /// Parses one line (without its line break; a trailing carriage return is ignored). Returns false, with the
    /// reason, for lines that are not well-formed control lines: those stay ordinary output.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> line, out ControlLine control, out string problem)
    {
        control = default;
        if (line.EndsWith("\r", StringComparison.Ordinal))
        {
            line = line[..^1];
        }

        if (!line.StartsWith(Prefix, StringComparison.Ordinal))
        {
            problem = $"does not start with {Prefix}";
            return false;
        }

        var rest = line[Prefix.Length..];
        if (rest.Length == 0 || !IsBlank(rest[0]))
        {
            problem = $"{Prefix} must be followed by a space and a command (progress or checkpoint)";
            return false;
        }

        var verb = NextWord(ref rest);
        ControlLineKind kind;
        if (verb.SequenceEqual("progress"))
        {
            kind = ControlLineKind.Progress;
        }
        else if (verb.SequenceEqual("checkpoint"))
        {
            kind = ControlLineKind.Checkpoint;
        }
        else
        {
            problem = verb.Length == 0 ? "no command (progress or checkpoint)" : $"unknown command '{Cut(verb)}' (progress or checkpoint)";
            return false;
        }

        // The fraction is the next word when it reads as a number; a checkpoint may leave it out.
        var afterVerb = rest;
        var word = NextWord(ref rest);
        double? fraction = null;
        if (double.TryParse(word, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            if (!double.IsFinite(number) || number is < 0 or > 1)
            {
                problem = $"fraction '{Cut(word)}' is not a number in [0, 1]";
                return false;
            }

            fraction = number;
        }
        else if (kind == ControlLineKind.Progress)
        {
            problem = word.Length == 0 ? "progress needs a fraction in [0, 1]" : $"fraction '{Cut(word)}' is not a number in [0, 1]";
            return false;
        }
        else
        {
            rest = afterVerb;
        }

        var message = rest.Trim(" \t");
        if (message.Length > MaxMessageChars)
        {
            message = message[..MaxMessageChars];
        }

        control = new ControlLine(kind, fraction, message.ToString());
        problem = "";
        return true;
    }

    private static bool IsBlank(char c) => c is ' ' or '\t';

    private static ReadOnlySpan<char> NextWord(ref ReadOnlySpan<char> text)
    {
        text = text.TrimStart(" \t");
        var end = text.IndexOfAny(' ', '\t');
        var word = end < 0 ? text : text[..end];
        text = end < 0 ? [] : text[end..];
        return word;
    }

    private static string Cut(ReadOnlySpan<char> word) => word.Length > 40 ? string.Concat(word[..40], "...") : word.ToString();
}
