using System.Management.Automation.Host;

namespace FullDbResult.PowerShell.Tests;

/// <summary>
/// Just enough of a console for Format-Table: a fixed width. There is no screen buffer to read or scroll.
/// </summary>
internal sealed class TextHostRawUserInterface : PSHostRawUserInterface
{
    private readonly int _width;

    public TextHostRawUserInterface(int width) => _width = width;

    public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.Gray;
    public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;
    public override Coordinates CursorPosition { get; set; }
    public override int CursorSize { get; set; }
    public override Coordinates WindowPosition { get; set; }
    public override string WindowTitle { get; set; } = "";

    public override Size BufferSize
    {
        get => new(_width, short.MaxValue);
        set { }
    }

    public override Size WindowSize
    {
        get => new(_width, 50);
        set { }
    }

    public override Size MaxWindowSize => WindowSize;
    public override Size MaxPhysicalWindowSize => WindowSize;
    public override bool KeyAvailable => false;

    public override void FlushInputBuffer() { }
    public override KeyInfo ReadKey(ReadKeyOptions options) => throw TextHost.NoInteraction("read a key");
    public override BufferCell[,] GetBufferContents(Rectangle rectangle) => throw new NotSupportedException("A text host has no screen buffer.");
    public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) => throw new NotSupportedException("A text host has no screen buffer.");
    public override void SetBufferContents(Rectangle rectangle, BufferCell fill) => throw new NotSupportedException("A text host has no screen buffer.");
    public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) =>
        throw new NotSupportedException("A text host has no screen buffer.");
}
