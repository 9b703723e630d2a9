namespace Swarm.Client;

/// <summary>An application spec could not be read; the message names the source and every problem.</summary>
public sealed class SpecException : Exception
{
    public SpecException()
    {
    }

    public SpecException(string message)
        : base(message)
    {
    }

    public SpecException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
